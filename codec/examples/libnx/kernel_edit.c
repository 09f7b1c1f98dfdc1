// The equivalent of ../kernel_edit.rs with libnx's hipc.h types (written for the
// comparison in ../README.md; libnx is a user-space library, but its parser and
// descriptor makers are what C code editing a message would use).
#include <switch.h>

// Translates the request in buf: pid into the PID slot, each copy handle through xlate,
// X descriptors packed from recv on.
void translate(void* buf, u64 pid, Handle (*xlate)(Handle), uintptr_t recv)
{
    HipcParsedRequest r = hipcParseRequest(buf);
    if (r.meta.send_pid) *(u64*)((u8*)buf + sizeof(HipcHeader) + sizeof(HipcSpecialHeader)) = pid;
    for (u32 i = 0; i < r.meta.num_copy_handles; i++)
        r.data.copy_handles[i] = xlate(r.data.copy_handles[i]);
    uintptr_t at = recv;
    for (u32 i = 0; i < r.meta.num_send_statics; i++) {
        HipcStaticDescriptor* x = &r.data.send_statics[i];
        *x = hipcMakeSendStatic((void*)at, x->size, x->index);
        at += x->size;
    }
}
