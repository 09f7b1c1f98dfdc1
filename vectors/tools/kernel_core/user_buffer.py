"""vectors/kernel/user-buffer.json: user message buffers, their checks and lock (§1.2, §6.2, §6.3)."""

from common import *

UT = ["tls-buffer", "user-buffer"]


def mk_tests():
    notes = {
        "ArgumentCheck": "One of the §1.2 argument checks rejects the buffer before anything is queued or replied.",
        "CheckOrder": "Several checks would fail; the test pins the first one in §1.2 / §6.2 / §6.3 order.",
        "MemoryState": "The buffer's memory state decides: only Normal, CodeData and AliasCodeData (FlagCanIpcUserBuffer and FlagReferenceCounted) qualify (§1.2 lock rule).",
        "Attribute": "A memory attribute on the buffer makes the lock fail (§1.2: no attribute may be set).",
        "Lock": "The buffer is locked (inaccessible to user mode, Locked attribute) while the request is in flight, and unlocked when it completes, whatever the result (§1.2).",
        "SunriseDivergence": "SunriseOS performs none of these checks and does not lock the buffer (§7 row 2).",
    }
    groups = []
    base = SU(memory=[mem("C", UB_C, 0x1000)])

    # ------------------------------------------------------------------ lock
    t = []
    t.append(T("user-buffer-request-locks-buffer",
               "While C's request from a user buffer is in flight the buffer is inaccessible to C's user mode; S receives it, replies into it, and afterwards it is accessible again and holds the reply over the request.",
               [send(M(type=0x10, raw=[1, 2, 3]), buffer=ub(UB_C, 0x1000)),
                access("C", UB_C, 0x1000, True, False, comment="no user write access while locked"),
                access("C", UB_C, 0x1000, False, False, comment="no user read access either"),
                recv(),
                words([0x10, 3, 1, 2, 3], thread="S"),
                reply(M(type=0x20, raw=[9])),
                client("Success"),
                words([0x20, 1, 9, 2, 3], process="C", address=UB_C, size=0x1000),
                access("C", UB_C, 0x1000, True, True)],
               setup=base, flags=["Lock", "SunriseDivergence"], requires=UT,
               source="kernel-semantics.md §1.2 (lock rule); §1.3; §5.3"))
    t.append(T("user-buffer-locked-state-during-request",
               "During the request the buffer's block stays Normal with no user permission and the Locked attribute; afterwards it is Normal, read-write, not locked.",
               [send(M(type=0x10), buffer=ub(UB_C, 0x1000)),
                mapping("C", UB_C, state="Normal", permission="none", attributes={"locked": True}),
                recv(),
                reply(M(type=0x20)),
                client("Success"),
                mapping("C", UB_C, state="Normal", permission="rw", attributes={"locked": False})],
               setup=base, flags=["Lock"], requires=UT + ["memory-query"],
               source="kernel-semantics.md §1.2 ('kernel-RW, not user-mapped ... carry the Locked attribute')"))
    t.append(T("user-buffer-lock-covers-only-the-buffer",
               "A one-page buffer in the middle of a three-page heap region: only that page is locked; the pages on either side stay accessible.",
               [send(M(type=0x10), buffer=ub(UB_C + 0x1000, 0x1000)),
                access("C", UB_C, 0x1000, True, True),
                access("C", UB_C + 0x1000, 0x1000, True, False),
                access("C", UB_C + 0x2000, 0x1000, True, True),
                recv(),
                reply(M(type=0x20)),
                client("Success"),
                access("C", UB_C + 0x1000, 0x1000, True, True)],
               setup=SU(memory=[mem("C", UB_C, 0x3000)]), flags=["Lock"], requires=UT,
               source="kernel-semantics.md §1.2"))
    t.append(T("user-buffer-reuse-after-completion",
               "Once a request completed its buffer is unlocked, so the same buffer can carry the next request.",
               [send(M(type=1), buffer=ub(UB_C, 0x1000)),
                recv(),
                reply(M(type=2)),
                client("Success"),
                send(M(type=3, raw=[3]), buffer=ub(UB_C, 0x1000)),
                recv(),
                words([3, 1, 3], thread="S")],
               setup=base, flags=["Lock"], requires=UT, source="kernel-semantics.md §1.2"))
    t.append(T("user-buffer-second-lock-overlapping",
               "C2's request holds a two-page buffer locked; C's request on its second page fails the lock with InvalidCurrentMemory.",
               [send(M(type=2), thread="C2", buffer=ub(UB_C, 0x2000)),
                send(buffer=ub(UB_C + 0x1000, 0x1000), expect="InvalidCurrentMemory"),
                recv(),
                words([2, 0], thread="S")],
               setup=SU(threads=[("C2", "C")], memory=[mem("C", UB_C, 0x2000)]), result="invalid",
               flags=["Lock", "ArgumentCheck"], requires=UT + ["threads"],
               source="kernel-semantics.md §8 #61; §1.2 ('a second concurrent lock ... fails with 0xD401')",
               scenario="61"))
    t.append(T("user-buffer-two-threads-distinct-buffers",
               "C and C2 send at once from two different pages of the same heap region: both are queued and served in order.",
               [send(M(type=1), buffer=ub(UB_C, 0x1000)),
                send(M(type=2), thread="C2", buffer=ub(UB_C + 0x1000, 0x1000)),
                recv(),
                words([1, 0], thread="S"),
                rar(handles=["$s.server"], reply_target="$s.server", msg=M(type=0x11), result="Success",
                    out_index=0),
                words([2, 0], thread="S"),
                reply(M(type=0x12)),
                client("Success"),
                client("Success", thread="C2"),
                words([0x11, 0], process="C", address=UB_C, size=0x1000),
                words([0x12, 0], process="C", address=UB_C + 0x1000, size=0x1000)],
               setup=SU(threads=[("C2", "C")], memory=[mem("C", UB_C, 0x2000)]),
               flags=["Lock"], requires=UT + ["threads"], source="kernel-semantics.md §1.2"))
    t.append(T("user-buffer-unlocked-after-receive-failure",
               "A request that fails at receive time (its header claims 1023 raw words, more than its 0x1000 buffer) is completed with InvalidCombination and its buffer is unlocked.",
               [send(hexs=le(1, 1023), buffer=ub(UB_C, 0x1000)),
                poll(msg=ZERO),
                client("InvalidCombination"),
                access("C", UB_C, 0x1000, True, True)],
               setup=base, result="invalid", flags=["Lock"], requires=UT,
               source="kernel-semantics.md §1.2 (unlock after the call); §4.3 step 2"))
    t.append(T("user-buffer-unlocked-after-session-closed",
               "S closed its session: C's SendSyncRequestWithUserBuffer returns SessionClosed and leaves its buffer unlocked.",
               [close("S", "$s.server"),
                send(M(type=1), buffer=ub(UB_C, 0x1000), expect="SessionClosed"),
                access("C", UB_C, 0x1000, True, True)],
               setup=base, result="invalid", flags=["Lock"], requires=["user-buffer", "session-close"],
               source="kernel-semantics.md §1.2; §6.2; §6.4", scenario="71"))
    t.append(T("user-buffer-unlocked-after-server-close",
               "C's request from a user buffer is pending when S closes its session: C gets SessionClosed and its buffer is unlocked.",
               [send(M(type=1), buffer=ub(UB_C, 0x1000)),
                access("C", UB_C, 0x1000, True, False),
                close("S", "$s.server"),
                client("SessionClosed"),
                access("C", UB_C, 0x1000, True, True)],
               setup=base, result="invalid", flags=["Lock"], requires=["user-buffer", "session-close"],
               source="kernel-semantics.md §1.2; §6.4", scenario="68"))
    groups.append(G("lock", "The user buffer is locked for the duration of the request. Decision: while locked, the block is reported as its own state with user permission none and the Locked attribute (§1.2: kernel-RW, not user-mapped).", t,
                    source="kernel-semantics.md §1.2"))

    # ------------------------------------------------------------------ client checks
    t = []

    def bad(id, comment, buffer, result, setup=None, flags=("ArgumentCheck",), source=None, scenario=None):
        t.append(T(id, comment,
                   [send(buffer=buffer, expect=result, comment="nothing is written into the buffer: only the checks matter"),
                    poll(msg=ZERO)],
                   setup=setup or SU(), result="invalid", flags=list(flags), requires=UT,
                   source=source, scenario=scenario))

    bad("user-buffer-misaligned-and-size-zero",
        "Address page+0x800 and size 0: the address check comes first, InvalidAddress.",
        ub(UB_C + 0x800, 0), "InvalidAddress", setup=base, flags=["ArgumentCheck", "CheckOrder"],
        source="kernel-semantics.md §1.2 checks 1-2")
    bad("user-buffer-misaligned-unmapped",
        "Address 0x30000800 (unaligned, unmapped) and size 0x1000: InvalidAddress before any memory check.",
        ub(0x30000800, 0x1000), "InvalidAddress", flags=["ArgumentCheck", "CheckOrder"],
        source="kernel-semantics.md §1.2 checks 1, 5")
    bad("user-buffer-size-zero-unmapped",
        "Size 0 at an unmapped aligned address: InvalidSize before any memory check.",
        ub(0x30000000, 0), "InvalidSize", flags=["ArgumentCheck", "CheckOrder"],
        source="kernel-semantics.md §1.2 checks 2, 5")
    bad("user-buffer-size-not-multiple-and-wraps",
        "Address 0xfffffffffffff000 and size 0x1800: the size check (not a page multiple) comes before the wrap check, InvalidSize.",
        ub("0xfffffffffffff000", 0x1800), "InvalidSize", flags=["ArgumentCheck", "CheckOrder"],
        source="kernel-semantics.md §1.2 checks 3-4")
    bad("user-buffer-unmapped",
        "A page-aligned buffer on unmapped memory: InvalidCurrentMemory.",
        ub(0x30000000, 0x1000), "InvalidCurrentMemory", flags=["ArgumentCheck"],
        source="kernel-semantics.md §1.2 check 5")
    bad("user-buffer-partly-unmapped",
        "A two-page buffer whose second page is unmapped: InvalidCurrentMemory.",
        ub(UB_C, 0x2000), "InvalidCurrentMemory", setup=base, flags=["ArgumentCheck"],
        source="kernel-semantics.md §1.2 check 5 ('every page of the range')")
    bad("user-buffer-mixed-states",
        "A two-page buffer over a Normal page and a CodeData page (each acceptable alone): not one uniform state, InvalidCurrentMemory.",
        ub(UB_C, 0x2000), "InvalidCurrentMemory",
        setup=SU(memory=[mem("C", UB_C, 0x1000), mem("C", UB_C + 0x1000, 0x1000, state="CodeData")]),
        flags=["ArgumentCheck", "MemoryState"], source="kernel-semantics.md §1.2 ('one uniform memory block state')")
    bad("user-buffer-read-only",
        "A Normal buffer with user permission read-only: InvalidCurrentMemory (read+write required).",
        ub(UB_C, 0x1000), "InvalidCurrentMemory", setup=SU(memory=[mem("C", UB_C, 0x1000, permission="r")]),
        flags=["ArgumentCheck"], source="kernel-semantics.md §1.2 (permission exactly read+write)")
    bad("user-buffer-no-permission",
        "A Normal buffer with no user permission: InvalidCurrentMemory.",
        ub(UB_C, 0x1000), "InvalidCurrentMemory", setup=SU(memory=[mem("C", UB_C, 0x1000, permission="none")]),
        flags=["ArgumentCheck"], source="kernel-semantics.md §1.2")
    for state in ["Shared", "ThreadLocal", "Ipc", "Stack", "Transfered"]:
        bad("user-buffer-state-%s" % state.lower(),
            "A read-write buffer in %s memory (no FlagCanIpcUserBuffer): InvalidCurrentMemory." % state,
            ub(UB_C, 0x1000), "InvalidCurrentMemory",
            setup=SU(memory=[mem("C", UB_C, 0x1000, state=state)]), flags=["ArgumentCheck", "MemoryState"],
            source="kernel-semantics.md §1.2 (only Normal, CodeData, AliasCodeData)",
            scenario="61" if state == "Shared" else None)
    for attr in ["locked", "ipc_locked", "device_shared", "uncached", "permission_locked"]:
        bad("user-buffer-attribute-%s" % attr.replace("_", "-"),
            "A Normal read-write buffer with the %s attribute set: InvalidCurrentMemory." % attr,
            ub(UB_C, 0x1000), "InvalidCurrentMemory",
            setup=SU(memory=[mem("C", UB_C, 0x1000, attributes={attr: True})]),
            flags=["ArgumentCheck", "Attribute"], source="kernel-semantics.md §1.2 ('no memory attribute set')")
    t.append(T("user-buffer-checked-before-session-handle",
               "A misaligned buffer and an invalid session handle: the buffer is checked first (InvalidAddress).",
               [send(M(type=1), session=0, buffer=ub(UB_C + 0x800, 0x1000), expect="InvalidAddress")],
               setup=SU(memory=[mem("C", UB_C, 0x2000)]), result="invalid", flags=["ArgumentCheck", "CheckOrder"],
               requires=["user-buffer"], source="kernel-semantics.md §6.2 (user-buffer checks, then the session handle)"))
    t.append(T("user-buffer-valid-buffer-invalid-session",
               "A valid buffer and session handle 0: InvalidHandle, and the buffer is left unlocked.",
               [send(M(type=1), session=0, buffer=ub(UB_C, 0x1000), expect="InvalidHandle"),
                access("C", UB_C, 0x1000, True, True)],
               setup=base, result="invalid", flags=["ArgumentCheck", "Lock"], requires=["user-buffer"],
               source="kernel-semantics.md §6.2; §1.2 (unlock after the call)"))
    groups.append(G("client-checks", "SendSyncRequestWithUserBuffer argument checks, in order.", t,
                    source="kernel-semantics.md §1.2, §6.2"))

    # ------------------------------------------------------------------ accepted states / server side
    t = []
    for state in ["CodeData", "AliasCodeData"]:
        t.append(T("user-buffer-state-%s-accepted" % state.lower(),
                   "A read-write buffer in %s memory qualifies: the request is delivered and answered." % state,
                   [send(M(type=1, raw=[0x42]), buffer=ub(UB_C, 0x1000)),
                    recv(),
                    words([1, 1, 0x42], thread="S"),
                    reply(M(type=2)),
                    client("Success"),
                    words([2, 0], process="C", address=UB_C, size=0x1000)],
                   setup=SU(memory=[mem("C", UB_C, 0x1000, state=state)]), flags=["MemoryState"], requires=UT,
                   source="kernel-semantics.md §1.2 (Normal, CodeData or AliasCodeData)"))
    t.append(T("user-buffer-two-adjacent-normal-regions",
               "A two-page buffer over two adjacent Normal read-write regions: one uniform state, so it is accepted. (Decision: regions created separately with identical state, permission and attributes count as uniform.)",
               [send(M(type=1), buffer=ub(UB_C, 0x2000)),
                recv(),
                reply(M(type=2)),
                client("Success")],
               setup=SU(memory=[mem("C", UB_C, 0x1000), mem("C", UB_C + 0x1000, 0x1000)]),
               flags=["MemoryState"], requires=UT, source="kernel-semantics.md §1.2"))
    t.append(T("user-buffer-full-raw-data",
               "0x2000-byte user buffers on both sides carry the largest raw data a header can describe (1023 words) both ways.",
               [send(M(type=0x3FF, raw=list(range(1023))), buffer=ub(UB_C, 0x2000)),
                recv(buffer=ub(UB_S, 0x2000)),
                xmsg(M(type=0x3FF, raw=list(range(1023))), process="S", address=UB_S, size=0x2000),
                reply(M(type=0x3FE, raw=list(range(1023, 0, -1))), buffer=ub(UB_S, 0x2000)),
                client("Success"),
                xmsg(M(type=0x3FE, raw=list(range(1023, 0, -1))), process="C", address=UB_C, size=0x2000)],
               setup=SU(memory=[mem("C", UB_C, 0x2000), mem("S", UB_S, 0x2000)]), requires=["user-buffer"],
               source="kernel-semantics.md §1.2; §2.2 (RawCount 0..1023); §4.3 step 4"))

    def srv_bad(id, comment, buffer, result, setup, flags=("ArgumentCheck",), source="kernel-semantics.md §6.3 step 1; §1.2"):
        t.append(T(id, comment,
                   [send(M(type=1)),
                    recv(),
                    rar(handles=["$s.server"], reply_target="$s.server", buffer=buffer, result=result),
                    client("pending", comment="nothing was replied"),
                    reply(M(type=2)),
                    client("Success")],
                   setup=setup, result="invalid", flags=list(flags), requires=UT, source=source))

    sbase = SU(memory=[mem("S", UB_S, 0x2000)])
    srv_bad("user-buffer-server-misaligned-nothing-replied",
            "ReplyAndReceiveWithUserBuffer with address page+0x800 and a reply target: InvalidAddress, and the reply is not sent.",
            ub(UB_S + 0x800, 0x1000), "InvalidAddress", sbase, flags=["ArgumentCheck", "SunriseDivergence"])
    srv_bad("user-buffer-server-size-zero-nothing-replied",
            "ReplyAndReceiveWithUserBuffer with size 0: InvalidSize, nothing replied.",
            ub(UB_S, 0), "InvalidSize", sbase)
    srv_bad("user-buffer-server-size-not-multiple-nothing-replied",
            "ReplyAndReceiveWithUserBuffer with size 0x1800: InvalidSize, nothing replied.",
            ub(UB_S, 0x1800), "InvalidSize", sbase)
    srv_bad("user-buffer-server-wraps-nothing-replied",
            "ReplyAndReceiveWithUserBuffer with address 0xfffffffffffff000, size 0x2000: InvalidCurrentMemory, nothing replied.",
            ub("0xfffffffffffff000", 0x2000), "InvalidCurrentMemory", sbase)
    srv_bad("user-buffer-server-read-only-nothing-replied",
            "ReplyAndReceiveWithUserBuffer on read-only memory: InvalidCurrentMemory, nothing replied.",
            ub(UB_S, 0x1000), "InvalidCurrentMemory", SU(memory=[mem("S", UB_S, 0x1000, permission="r")]))
    srv_bad("user-buffer-server-buffer-before-handle-count",
            "ReplyAndReceiveWithUserBuffer with a misaligned buffer and 65 wait handles: the buffer check (step 1) comes before the count (step 2), InvalidAddress.",
            ub(UB_S + 0x800, 0x1000), "InvalidAddress", sbase, flags=["ArgumentCheck", "CheckOrder"],
            source="kernel-semantics.md §6.3 steps 1-2")
    t[-1]["steps"][2]["handles"] = ["$s.server"] * 65
    t.append(T("user-buffer-server-buffer-accessible-after-call",
               "S's user buffer is unlocked when ReplyAndReceiveWithUserBuffer returns: S can access it and it holds the request.",
               [send(M(type=1, raw=[5])),
                recv(buffer=ub(UB_S, 0x1000)),
                access("S", UB_S, 0x1000, True, True),
                words([1, 1, 5], process="S", address=UB_S, size=0x1000)],
               setup=SU(memory=[mem("S", UB_S, 0x1000)]), flags=["Lock"], requires=UT,
               source="kernel-semantics.md §1.2 (after the call the buffer is unlocked)"))
    groups.append(G("accepted-and-server", "Accepted memory states, large buffers, and the server's user buffer. Decision: two regions set up separately with identical state, permission and attributes form one uniform range (§1.2).", t,
                    source="kernel-semantics.md §1.2, §6.3"))

    return FILE("user-buffer",
                "User message buffers (SendSyncRequestWithUserBuffer, ReplyAndReceiveWithUserBuffer): the argument checks of §1.2 in order, which memory qualifies, the lock while the request is in flight and the unlock whatever the outcome.",
                ["kernel-semantics.md §1.2", "kernel-semantics.md §1.3", "kernel-semantics.md §6.2",
                 "kernel-semantics.md §6.3", "kernel-semantics.md §8 #61"],
                notes, groups)
