// The libnx equivalent of ../tipc_pair.rs (written for the comparison in
// ../README.md): the client with libnx's tipc.h helpers; the server with hipc.h, as
// libnx has no TIPC server helpers.
#include <switch.h>

#define INVALID_METHOD 0x1423

// Client: asks sm for the service name; out its session handle.
Result get_service(TipcService* sm, const char name[8], Handle* out)
{
    void* in = tipcMakeRequest(sm, 1, 8, false, (SfBufferAttrs){}, NULL, 0, NULL);
    __builtin_memcpy(in, name, 8);
    Result rc = svcSendSyncRequest(sm->session);
    if (R_FAILED(rc)) return rc;
    return tipcParseResponse(sm, 0, NULL, 0, NULL, (SfOutHandleAttrs){ SfOutHandleAttr_HipcMove }, out);
}

// Server: answers the request in the TLS in place; lookup gives a name's handle.
Result serve(Handle (*lookup)(u64 name))
{
    void* base = armGetTls();
    HipcParsedRequest r = hipcParseRequest(base);
    bool ok = r.meta.type == 16 + 1 && r.meta.num_data_words >= 2;
    Handle h = ok ? lookup(*(u64*)r.data.data_words) : 0;
    HipcRequest reply = hipcMakeRequestInline(base,
        .type             = r.meta.type,
        .num_data_words   = 1,
        .num_move_handles = ok ? 1 : 0,
    );
    reply.data_words[0] = ok ? 0 : INVALID_METHOD;
    if (ok) reply.move_handles[0] = h;
    return 0;
}
