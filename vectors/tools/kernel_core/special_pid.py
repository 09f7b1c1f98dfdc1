"""vectors/kernel/special-header.json (§8 #12 and the special header word) and
vectors/kernel/pid.json (§8 #9-11)."""

from common import *

W31 = 1 << 31
DEAD = "0xdeadbeefdeadbeef"


def special_header_file():
    notes = {
        "NoSpecialHeader": "HasSpecialHeader is 0: word 2 is not a special header whatever it contains (§2.3).",
        "Verbatim": "Checks that bits the kernel does not interpret (special header bits 9..31, counts as written) are copied verbatim (§2.3, §4.3 step 8, §5.2 step 9).",
        "Untouched": "Asserts that words past the incoming message's raw end keep their previous contents (§4.5).",
    }
    t = []
    t.append(T("special-header-kernel-absent-word2-is-raw-data",
               "Without HasSpecialHeader, words 2..3 = 0x1f, 7 are plain raw data: S sees them as raw, no PID is written and no handle created.",
               [count("S", "$nS"),
                send(M(type=0, raw=[0x1F, 7]), comment="word 2 = 0x1f would read as PID + 15 copy handles if it were a special header"),
                recv(),
                words([0, 2, 0x1F, 7], thread="S"),
                xmsg(M(type=0, raw=[0x1F, 7]), thread="S"),
                xcount("S", "$nS", comment="no handle was created in S"),
                reply(M(type=1)),
                client("Success")],
               flags=["NoSpecialHeader"], source="kernel-semantics.md §8 #12; §2.3", scenario="12"))
    t.append(T("special-header-kernel-absent-word2-outside-message",
               "A header without special header and RawCount 0 ends at word 2: the 0x1f and 7 C left at words 2..3 are not transferred.",
               [fill_tls("S"),
                count("S", "$nS"),
                send(hexs=le(0, 0, 0x1F, 7)),
                recv(hexs=le(0, 0)),
                words([0, 0, 0xAAAAAAAA, 0xAAAAAAAA], thread="S"),
                xcount("S", "$nS")],
               flags=["NoSpecialHeader", "Untouched"], source="kernel-semantics.md §2.3; §4.5", scenario="12"))
    t.append(T("special-header-kernel-empty",
               "HasSpecialHeader with all counts zero still occupies word 2; raw data starts at word 3.",
               [count("S", "$nS"),
                send(M(type=3, special=True, raw=[9])),
                recv(),
                words([3, 1 | W31, 0, 9], thread="S"),
                xmsg(M(type=3, special=True, raw=[9]), thread="S"),
                xcount("S", "$nS"),
                reply(M(type=4)),
                client("Success")],
               source="kernel-semantics.md §2.3; §2.9; §4.3 step 8"))
    t.append(T("special-header-kernel-reserved-bits-request",
               "Special header bits 9..31 (all set, counts zero) reach S verbatim and create nothing.",
               [count("S", "$nS"),
                send(hexs=le(3, 1 | W31, 0xFFFFFE00, 9)),
                recv(),
                words([3, 1 | W31, 0xFFFFFE00, 9], thread="S"),
                xcount("S", "$nS")],
               flags=["Verbatim"], source="kernel-semantics.md §2.3; §4.3 step 8"))
    t.append(T("special-header-kernel-reserved-bits-with-null-copy",
               "Special header word 0xabcd0002 (one copy slot, reserved bits set) with a null copy handle: S sees the word verbatim and handle 0.",
               [count("S", "$nS"),
                send(hexs=le(3, W31, 0xABCD0002, 0)),
                recv(),
                words([3, W31, 0xABCD0002, 0], thread="S"),
                xcount("S", "$nS")],
               flags=["Verbatim"], requires=["tls-buffer", "copy-handles"],
               source="kernel-semantics.md §2.3; §4.3 step 8"))
    t.append(T("special-header-kernel-server-prepared-special-header-irrelevant",
               "S's prepared header has a special header (PID, 2 copy slots); C's request has none: S's words 0..3 are C's header and raw data and no handle appears.",
               [count("S", "$nS"),
                send(M(type=5, raw=[0x55])),
                recv(hexs=le(0, W31, 1 | (2 << 1))),
                words([5, 1, 0x55], thread="S"),
                xcount("S", "$nS")],
               flags=["NoSpecialHeader"], source="kernel-semantics.md §4.3 steps 1, 7, 11"))
    t.append(T("special-header-kernel-reply-absent-word2-is-raw-data",
               "A reply without special header whose raw words are 0x1f, 7: C sees them as raw data, no handle appears in C.",
               [count("C", "$nC"),
                send(M(type=1)),
                recv(),
                reply(M(type=2, raw=[0x1F, 7])),
                client("Success"),
                words([2, 2, 0x1F, 7], thread="C"),
                xcount("C", "$nC")],
               flags=["NoSpecialHeader"], source="kernel-semantics.md §2.3; §5.2 steps 8, 12", scenario="12"))
    t.append(T("special-header-kernel-reserved-bits-reply",
               "Special header bits 9..31 of a reply reach C verbatim.",
               [count("C", "$nC"),
                send(M(type=1)),
                recv(),
                reply(hexs=le(2, 1 | W31, 0xFFFFFE00, 9)),
                client("Success"),
                words([2, 1 | W31, 0xFFFFFE00, 9], thread="C"),
                xcount("C", "$nC")],
               flags=["Verbatim"], source="kernel-semantics.md §2.3; §5.2 step 9"))
    t.append(T("special-header-kernel-empty-reply",
               "A reply with an empty special header and no raw data is three words: header, then special header 0.",
               [send(M(type=1, raw=[1, 2, 3])),
                recv(),
                reply(M(type=2, special=True)),
                client("Success"),
                words([2, W31, 0, 2, 3], thread="C", comment="word 3 onwards keep C's request (its raw words 2 and 3)")],
               source="kernel-semantics.md §2.3; §5.2 steps 8-9; §5.3"))
    return FILE("special-header",
                "The special header word: present or absent (HasSpecialHeader), empty, its uninterpreted bits copied verbatim, in requests and replies.",
                ["kernel-semantics.md §2.3", "kernel-semantics.md §2.9", "kernel-semantics.md §4.3 step 8",
                 "kernel-semantics.md §5.2 step 9", "kernel-semantics.md §8 #12"],
                notes, [G("special-header", "The special header word in requests and replies.", t,
                          source="kernel-semantics.md §2.3")])


def pid_file():
    notes = {
        "AmsExtension": "Atmosphère's PID passthrough (§4.3 step 8 [AMS-EXT]): a written value whose top 16 bits are 0xfffe is delivered with those bits cleared. Runs only on kernels declaring ams-pid-passthrough.",
        "OfficialKernel": "The official-kernel side of the [AMS-EXT] difference: the kernel writes the real PID whatever the sender wrote. Runs only on kernels not declaring ams-pid-passthrough.",
        "Reply": "The PID is in a reply (server process ID, §5.2 step 9).",
        "Boundary": "The message ends exactly at the TLS limit, or one word past it.",
    }
    ams = ["tls-buffer", "pid", "ams-pid-passthrough"]
    off = ["tls-buffer", "pid"]
    t = []

    def req_pid(id, comment, written, seen, flags=(), result="valid", requires=off, excludes=None,
                scenario="9", source="kernel-semantics.md §8 #9; §4.3 step 8"):
        t.append(T(id, comment,
                   [send(M(type=0x10, pid=written, raw=[0x1234])),
                    recv(),
                    xmsg(M(type=0x10, pid=seen, raw=[0x1234]), thread="S"),
                    reply(M(type=0x11)),
                    client("Success")],
                   flags=flags, result=result, requires=requires, excludes=excludes,
                   source=source, scenario=scenario))

    def rep_pid(id, comment, written, seen, flags=("Reply",), result="valid", requires=off,
                excludes=None, scenario="10", source="kernel-semantics.md §8 #10; §5.2 step 9"):
        t.append(T(id, comment,
                   [send(M(type=0x10)),
                    recv(),
                    reply(M(type=0x11, pid=written, raw=[0x5678])),
                    client("Success"),
                    xmsg(M(type=0x11, pid=seen, raw=[0x5678]), thread="C")],
                   flags=list(flags), result=result, requires=requires, excludes=excludes,
                   source=source, scenario=scenario))

    req_pid("pid-request-replaced-by-client-pid",
            "C asks for its PID to be sent and leaves 0xdeadbeefdeadbeef in the slot: S sees C's process ID.",
            DEAD, "$pid.C")
    req_pid("pid-request-zero-slot",
            "C leaves 0 in the PID slot: S still sees C's process ID.", 0, "$pid.C")
    req_pid("pid-request-top-bits-ffff-not-passthrough",
            "A written value with top 16 bits 0xffff (not 0xfffe) is ignored on every kernel: S sees C's process ID.",
            "0xffff000000001234", "$pid.C", source="kernel-semantics.md §4.3 step 8 (passthrough only for top bits 0xfffe)",
            scenario="11")
    req_pid("pid-request-top-bits-fffc-not-passthrough",
            "A written value with top 16 bits 0xfffc is ignored on every kernel: S sees C's process ID.",
            "0xfffc000000001234", "$pid.C", source="kernel-semantics.md §4.3 step 8", scenario="11")
    req_pid("pid-request-fffe-in-low-bits-not-passthrough",
            "0xfffe in bits 32..47 rather than the top 16 bits is not the passthrough marker: S sees C's process ID.",
            "0x0000fffe00001234", "$pid.C", source="kernel-semantics.md §4.3 step 8", scenario="11")
    req_pid("pid-ams-passthrough-request",
            "[AMS-EXT] C writes 0xfffe000000001234: S sees 0x1234.",
            "0xfffe000000001234", "0x1234", flags=["AmsExtension"], result="acceptable", requires=ams,
            source="kernel-semantics.md §8 #11; §4.3 step 8 [AMS-EXT]", scenario="11")
    req_pid("pid-official-no-passthrough-request",
            "Official kernel: C writes 0xfffe000000001234 and S sees C's real process ID.",
            "0xfffe000000001234", "$pid.C", flags=["OfficialKernel"], result="acceptable",
            excludes=["ams-pid-passthrough"],
            source="kernel-semantics.md §8 #11; §4.3 step 8", scenario="11")
    req_pid("pid-ams-passthrough-request-all-ones",
            "[AMS-EXT] C writes 0xfffeffffffffffff: S sees 0x0000ffffffffffff (only the top 16 bits are cleared).",
            "0xfffeffffffffffff", "0xffffffffffff", flags=["AmsExtension"], result="acceptable", requires=ams,
            source="kernel-semantics.md §4.3 step 8 [AMS-EXT]", scenario="11")
    req_pid("pid-official-no-passthrough-request-all-ones",
            "Official kernel: C writes 0xfffeffffffffffff and S sees C's real process ID.",
            "0xfffeffffffffffff", "$pid.C", flags=["OfficialKernel"], result="acceptable",
            excludes=["ams-pid-passthrough"], source="kernel-semantics.md §4.3 step 8", scenario="11")
    req_pid("pid-ams-passthrough-request-zero-value",
            "[AMS-EXT] C writes 0xfffe000000000000: S sees 0.",
            "0xfffe000000000000", 0, flags=["AmsExtension"], result="acceptable", requires=ams,
            source="kernel-semantics.md §4.3 step 8 [AMS-EXT]", scenario="11")
    req_pid("pid-official-no-passthrough-request-zero-value",
            "Official kernel: C writes 0xfffe000000000000 and S sees C's real process ID.",
            "0xfffe000000000000", "$pid.C", flags=["OfficialKernel"], result="acceptable",
            excludes=["ams-pid-passthrough"], source="kernel-semantics.md §4.3 step 8", scenario="11")

    rep_pid("pid-reply-server-pid",
            "S replies with HasProcessId and 0x1111 in the slot: C sees S's process ID.", "0x1111", "$pid.S")
    rep_pid("pid-ams-passthrough-reply",
            "[AMS-EXT] S's reply carries 0xfffe000000005678 in the PID slot: C sees 0x5678.",
            "0xfffe000000005678", "0x5678", flags=["Reply", "AmsExtension"], result="acceptable",
            requires=ams, source="kernel-semantics.md §5.2 step 9 ('same [AMS-EXT] rule')", scenario="11")
    rep_pid("pid-official-no-passthrough-reply",
            "Official kernel: S's reply carries 0xfffe000000005678 and C sees S's real process ID.",
            "0xfffe000000005678", "$pid.S", flags=["Reply", "OfficialKernel"], result="acceptable",
            excludes=["ams-pid-passthrough"], source="kernel-semantics.md §5.2 step 9", scenario="11")

    t.append(T("pid-both-directions",
               "Request and reply both carry a PID: S sees C's, C sees S's; the PID slot sits unaligned at words 3..4 before the raw data.",
               [send(M(type=0x20, pid=DEAD, raw=[1, 2])),
                recv(),
                words([0x20, 2 | W31, 1], thread="S"),
                words([1, 2], thread="S", offset=5),
                xmsg(M(type=0x20, pid="$pid.C", raw=[1, 2]), thread="S"),
                reply(M(type=0x21, pid=DEAD, raw=[3])),
                client("Success"),
                words([0x21, 1 | W31, 1], thread="C"),
                words([3], thread="C", offset=5),
                xmsg(M(type=0x21, pid="$pid.S", raw=[3]), thread="C")],
               flags=["Reply"], requires=off, source="kernel-semantics.md §2.4; §4.3 step 8; §5.2 step 9",
               scenario="9"))
    t.append(T("pid-from-second-thread",
               "A second thread C2 of C sends with HasProcessId: S sees the process ID of C (the process, not the thread).",
               [send(M(type=0x10, pid=0), thread="C2"),
                recv(),
                xmsg(M(type=0x10, pid="$pid.C"), thread="S"),
                reply(M(type=0x11)),
                client("Success", thread="C2")],
               setup=SU(threads=[("C2", "C")]), requires=["tls-buffer", "pid", "threads"],
               source="kernel-semantics.md §4.3 step 8", scenario="9"))
    t.append(T("pid-two-client-processes",
               "S serves two client processes C and D on two sessions: each request carries its own sender's process ID.",
               [send(M(type=0x10, pid=0)),
                send(M(type=0x10, pid=0), thread="D", session="$t.client"),
                recv(handles=["$s.server"]),
                xmsg(M(type=0x10, pid="$pid.C"), thread="S"),
                reply(M(type=0x11)),
                recv(handles=["$t.server"]),
                xmsg(M(type=0x10, pid="$pid.D"), thread="S"),
                reply(M(type=0x11), target="$t.server"),
                client("Success"),
                client("Success", thread="D")],
               setup=SU(procs=("C", "D", "S"), sessions=(("s", "S", "C"), ("t", "S", "D"))),
               requires=off, source="kernel-semantics.md §4.3 step 8", scenario="9"))
    t.append(T("pid-request-59-raw-words-fill-tls",
               "PID plus RawCount 59 ends exactly at 0x100 (E = 5 + 59): delivered.",
               [send(M(type=0x10, pid=0, raw=list(range(1, 60)))),
                recv(),
                xmsg(M(type=0x10, pid="$pid.C", raw=list(range(1, 60))), thread="S")],
               flags=["Boundary"], requires=off, source="kernel-semantics.md §2.9; §4.3 steps 2, 8", scenario="9"))
    t.append(T("pid-request-60-raw-words-too-large",
               "PID plus RawCount 60 ends one word past 0x100: InvalidCombination to C, S keeps waiting.",
               [send(hexs=le(0x10, 60 | W31, 1, 0, 0)),
                poll(msg=ZERO),
                client("InvalidCombination"),
                words([0, 0], thread="S")],
               result="invalid", flags=["Boundary"], requires=off,
               source="kernel-semantics.md §2.9; §4.3 step 2", scenario="9"))
    return FILE("pid",
                "Process-ID substitution: the kernel writes the sender's process ID into the PID slot of requests and replies, whatever the sender wrote; Atmosphère's 0xfffe passthrough as an acceptable difference.",
                ["kernel-semantics.md §2.4", "kernel-semantics.md §4.3 step 8", "kernel-semantics.md §5.2 step 9",
                 "kernel-semantics.md §8 #9-11", "kernel-semantics.md §9 ([AMS-EXT])"],
                notes, [G("pid", "PID slot in requests and replies.", t, source="kernel-semantics.md §4.3 step 8")])
