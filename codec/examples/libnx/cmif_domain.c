// The libnx equivalent of ../cmif_domain.rs (written for the comparison in
// ../README.md, with libnx's cmif.h helpers).
#include <switch.h>

// Calls command 2 of domain object parent with in-object input and arg; out a u32 and
// the id of a new object.
Result open_child(Service* s, u32 parent, u32 input, u32 arg, u32* out_value, u32* out_child)
{
    CmifRequest req = cmifMakeRequest(armGetTls(), (CmifRequestFormat){
        .object_id   = parent,
        .request_id  = 2,
        .data_size   = sizeof(arg),
        .num_objects = 1,
    });
    *(u32*)req.data = arg;
    cmifRequestObject(&req, input);
    Result rc = svcSendSyncRequest(s->session);
    if (R_FAILED(rc)) return rc;
    CmifResponse resp = {};
    rc = cmifParseResponse(&resp, armGetTls(), true, sizeof(u32));
    if (R_FAILED(rc)) return rc;
    *out_value = *(u32*)resp.data;
    *out_child = cmifResponseGetObject(&resp);
    return 0;
}

// Closes domain object object_id.
Result close_object(Service* s, u32 object_id)
{
    cmifMakeCloseRequest(armGetTls(), object_id);
    return svcSendSyncRequest(s->session);
}
