// The libnx equivalent of ../cmif_client.rs (written for the comparison in
// ../README.md; it uses libnx's cmif.h helpers as a libnx service wrapper would).
#include <switch.h>

// Calls command 5 of the service behind s: in title_id, name as an in-buffer, out as
// an out-pointer; out a u32 and a session handle.
Result call(Service* s, u64 title_id, const void* name, size_t name_size,
            void* out, size_t out_size, u32* out_count, Handle* out_handle)
{
    CmifRequest req = cmifMakeRequest(armGetTls(), (CmifRequestFormat){
        .request_id       = 5,
        .data_size        = sizeof(title_id),
        .num_in_buffers   = 1,
        .num_out_pointers = 1,
    });
    *(u64*)req.data = title_id;
    cmifRequestInBuffer(&req, name, name_size, HipcBufferMode_Normal);
    cmifRequestOutPointer(&req, out, out_size);
    Result rc = svcSendSyncRequest(s->session);
    if (R_FAILED(rc)) return rc;
    CmifResponse resp = {};
    rc = cmifParseResponse(&resp, armGetTls(), false, sizeof(u32));
    if (R_FAILED(rc)) return rc;
    *out_count = *(u32*)resp.data;
    *out_handle = cmifResponseGetMoveHandle(&resp);
    return 0;
}
