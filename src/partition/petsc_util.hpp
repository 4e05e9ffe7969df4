#pragma once
// PETSc return codes become exceptions; PETSc objects are owned by RAII.
#include <lifnet/errors.hpp>

#include <petscsys.h>

namespace lifnet {

inline void petsc_check(PetscErrorCode rc, const char* call) {
    if (!rc) return;
    const char* text = nullptr;
    PetscErrorMessage(rc, &text, nullptr);
    throw library_error(call, text ? text : "PETSc error " + std::to_string(rc));
}

template <typename T>
class petsc_handle {
public:
    using destroy_fn = PetscErrorCode (*)(T*);
    explicit petsc_handle(destroy_fn destroy): destroy_(destroy) {}
    petsc_handle(const petsc_handle&) = delete;
    petsc_handle& operator=(const petsc_handle&) = delete;
    ~petsc_handle() {
        if (handle_) destroy_(&handle_);
    }
    T get() const { return handle_; }
    T* out() { return &handle_; }

private:
    T handle_ = nullptr;
    destroy_fn destroy_;
};

} // namespace lifnet
