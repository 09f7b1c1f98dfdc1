// The libnx equivalent of ../cmif_server.rs (written for the comparison in
// ../README.md). libnx has no server-side CMIF helpers: a libnx server parses with
// hipc.h and writes the CMIF headers itself, as here.
#include <switch.h>

#define UNKNOWN_COMMAND 0x1BA0A

// Handles the request in the TLS: command 0 adds two u64s, command 1 returns a copy of
// event; the reply replaces the request.
Result serve(Handle event)
{
    void* base = armGetTls();
    HipcParsedRequest r = hipcParseRequest(base);
    if (r.meta.type != CmifCommandType_Request) return MAKERESULT(Module_Libnx, LibnxError_BadInput);
    CmifInHeader* in = (CmifInHeader*)cmifGetAlignedDataStart(r.data.data_words, base);
    if (in->magic != CMIF_IN_HEADER_MAGIC) return MAKERESULT(Module_Libnx, LibnxError_BadInput);
    const u64* args = (const u64*)(in + 1);
    u64 sum = 0;
    u32 num_copy = 0;
    Result result = 0;
    switch (in->command_id) {
        case 0: sum = args[0] + args[1]; break;
        case 1: num_copy = 1; break;
        default: result = UNKNOWN_COMMAND; break;
    }
    HipcRequest reply = hipcMakeRequestInline(base,
        .type             = 0,
        .num_data_words   = (16 + sizeof(CmifOutHeader) + sizeof(u64)) / 4,
        .num_copy_handles = num_copy,
    );
    if (num_copy) reply.copy_handles[0] = event;
    CmifOutHeader* out = (CmifOutHeader*)cmifGetAlignedDataStart(reply.data_words, base);
    *out = (CmifOutHeader){ .magic = CMIF_OUT_HEADER_MAGIC, .result = result };
    *(u64*)(out + 1) = sum;
    return 0;
}
