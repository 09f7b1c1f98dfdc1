"""vectors/kernel/sessions.json: syscalls, ordering and closure (§8 #60-71)."""

from common import *

EVENTS64 = [("e%d" % i, "S") for i in range(64)]
ASYNC = ["user-buffer", "async"]


def mk_tests():
    notes = {
        "ArgumentCheck": "A syscall argument is rejected before anything is queued or replied (§1.2, §6.2, §6.3 steps 1-4).",
        "Ordering": "Which request a server receives first: FIFO per session, lowest index among signaled sessions, at most one current request per session (§4.1, §4.2, §6.3 step 5).",
        "Closure": "One end of the session is closed (§6.4).",
        "Async": "SendAsyncRequestWithUserBuffer: completion through an event, failures as a null header plus the result in word 2 (§6.6).",
        "DebuggerWrite": "The test rewrites a message buffer between syscalls, as a debugger (or another thread) could.",
        "SunriseDivergence": "SunriseOS differs (§7, row in the comment): LIFO queue (4), re-receives the current request (5), panics on a reply with no request (6), does not propagate client close (10), leaves mappings on server close (11), does not validate the wait list before replying (40), has no TLS IPC or user-buffer checks (1, 2).",
    }
    groups = []

    # ------------------------------------------------------------------ SendSyncRequest arguments
    t = []
    t.append(T("sessions-send-on-event-handle",
               "SendSyncRequest on an event handle: InvalidHandle at once; nothing is queued for S.",
               [send(M(type=1), session="$ev", expect="InvalidHandle"),
                poll(msg=ZERO)],
               setup=SU(events=[("ev", "C")]), result="invalid", flags=["ArgumentCheck"],
               source="kernel-semantics.md §8 #60; §4.1 step 1", scenario="60"))
    t.append(T("sessions-send-on-null-handle",
               "SendSyncRequest on handle 0: InvalidHandle.",
               [send(M(type=1), session=0, expect="InvalidHandle")],
               result="invalid", flags=["ArgumentCheck"],
               source="kernel-semantics.md §8 #60; §4.1 step 1; §2.10", scenario="60"))
    t.append(T("sessions-send-on-current-process-pseudo-handle",
               "SendSyncRequest on 0xffff8001: pseudo-handles are not sessions, InvalidHandle.",
               [send(M(type=1), session="0xffff8001", expect="InvalidHandle")],
               result="invalid", flags=["ArgumentCheck"],
               source="kernel-semantics.md §8 #60; §4.1 step 1", scenario="60"))
    t.append(T("sessions-send-on-current-thread-pseudo-handle",
               "SendSyncRequest on 0xffff8000: InvalidHandle.",
               [send(M(type=1), session="0xffff8000", expect="InvalidHandle")],
               result="invalid", flags=["ArgumentCheck"],
               source="kernel-semantics.md §8 #60; §4.1 step 1", scenario="60"))
    t.append(T("sessions-send-on-server-session-handle",
               "C holds the server end of session t; SendSyncRequest on it is InvalidHandle (a server session is not a client session).",
               [send(M(type=1), session="$t.server", expect="InvalidHandle")],
               setup=SU(sessions=(("s", "S", "C"), ("t", "C", "S"))), result="invalid", flags=["ArgumentCheck"],
               source="kernel-semantics.md §8 #60; §4.1 step 1", scenario="60"))
    t.append(T("sessions-send-on-closed-client-handle",
               "C closes its client session handle and then sends on it: InvalidHandle (not SessionClosed: the handle itself is gone).",
               [close("C", "$s.client", result="Success"),
                send(M(type=1), expect="InvalidHandle")],
               result="invalid", flags=["ArgumentCheck", "Closure"], requires=["tls-buffer", "session-close"],
               source="kernel-semantics.md §8 #60; §4.1 step 1; §6.2", scenario="60"))

    umem = mem("C", UB_C, 0x2000)
    t.append(T("sessions-user-buffer-address-not-page-aligned",
               "SendSyncRequestWithUserBuffer with address page+0x800: InvalidAddress.",
               [send(M(type=1), buffer=ub(UB_C + 0x800, 0x1000), expect="InvalidAddress"),
                poll(msg=ZERO)],
               setup=SU(memory=[umem]), result="invalid", flags=["ArgumentCheck", "SunriseDivergence"],
               requires=["tls-buffer", "user-buffer"],
               source="kernel-semantics.md §8 #61; §1.2 check 1; §7 row 2", scenario="61"))
    t.append(T("sessions-user-buffer-size-zero",
               "SendSyncRequestWithUserBuffer with size 0: InvalidSize.",
               [send(M(type=1), buffer=ub(UB_C, 0), expect="InvalidSize")],
               setup=SU(memory=[umem]), result="invalid", flags=["ArgumentCheck"], requires=["user-buffer"],
               source="kernel-semantics.md §8 #61; §1.2 check 2", scenario="61"))
    t.append(T("sessions-user-buffer-size-not-page-multiple",
               "SendSyncRequestWithUserBuffer with size 0x1800: InvalidSize.",
               [send(M(type=1), buffer=ub(UB_C, 0x1800), expect="InvalidSize")],
               setup=SU(memory=[umem]), result="invalid", flags=["ArgumentCheck"], requires=["user-buffer"],
               source="kernel-semantics.md §8 #61; §1.2 check 3", scenario="61"))
    t.append(T("sessions-user-buffer-address-plus-size-wraps",
               "SendSyncRequestWithUserBuffer with address 0xfffffffffffff000 and size 0x2000 (wraps): InvalidCurrentMemory.",
               [send(buffer=ub("0xfffffffffffff000", 0x2000), expect="InvalidCurrentMemory")],
               result="invalid", flags=["ArgumentCheck"], requires=["user-buffer"],
               source="kernel-semantics.md §8 #61; §1.2 check 4", scenario="61"))
    t.append(T("sessions-user-buffer-shared-memory",
               "SendSyncRequestWithUserBuffer on Shared-state memory (no FlagCanIpcUserBuffer): InvalidCurrentMemory.",
               [send(M(type=1), buffer=ub(UB_C, 0x1000), expect="InvalidCurrentMemory"),
                poll(msg=ZERO)],
               setup=SU(memory=[mem("C", UB_C, 0x1000, state="Shared")]), result="invalid",
               flags=["ArgumentCheck"], requires=["tls-buffer", "user-buffer"],
               source="kernel-semantics.md §8 #61; §1.2 check 5", scenario="61"))
    t.append(T("sessions-user-buffer-in-use-by-another-thread",
               "C2's request holds C's user buffer locked; C sending with the same buffer gets InvalidCurrentMemory, and C2's request is still served.",
               [send(M(type=2, raw=[2]), thread="C2", buffer=ub(UB_C, 0x1000)),
                send(buffer=ub(UB_C, 0x1000), expect="InvalidCurrentMemory",
                     comment="C sends with the same buffer (nothing written): the lock fails"),
                recv(),
                words([2, 1, 2], thread="S", comment="S receives C2's request"),
                reply(M(type=3)),
                client("Success", thread="C2")],
               setup=SU(threads=[("C2", "C")], memory=[umem]), result="invalid", flags=["ArgumentCheck"],
               requires=["tls-buffer", "user-buffer", "threads"],
               source="kernel-semantics.md §8 #61; §1.2 check 5 (second concurrent lock); §4.1 step 4", scenario="61"))
    t.append(T("sessions-send-on-interrupt-event-handle",
               "SendSyncRequest on an interrupt-event handle: InvalidHandle at once; nothing is queued for S.",
               [send(M(type=1), session="$irq", expect="InvalidHandle"),
                poll(msg=ZERO)],
               setup=SU(events=[("irq", "C", "interrupt_event")]), result="invalid", flags=["ArgumentCheck"],
               requires=["tls-buffer", "interrupt-event"],
               source="kernel-semantics.md §4.1 step 1 (the handle must name a client session)", scenario="60"))
    groups.append(G("send-arguments", "SendSyncRequest* argument checks.", t,
                    source="kernel-semantics.md §1.2, §4.1, §6.2"))

    # ------------------------------------------------------------------ ReplyAndReceive arguments
    t = []
    ev_handles = ["$s.server"] + ["$e%d" % i for i in range(64)]
    t.append(T("sessions-reply-and-receive-65-handles",
               "ReplyAndReceive with 65 wait handles and a reply target: OutOfRange, and the reply is not sent (C stays blocked until a later valid reply).",
               [send(M(type=1)),
                recv(),
                rar(handles=ev_handles, reply_target="$s.server", msg=M(type=2), result="OutOfRange",
                    comment="65 handles"),
                client("pending"),
                reply(M(type=3)),
                client("Success"),
                words([3, 0], thread="C")],
               setup=SU(events=EVENTS64), result="invalid", flags=["ArgumentCheck"],
               source="kernel-semantics.md §8 #62; §6.3 step 2", scenario="62"))
    t.append(T("sessions-reply-and-receive-64-handles",
               "ReplyAndReceive with 64 wait handles (the maximum) and a reply target: the reply is delivered, nothing is signaled, TimedOut.",
               [send(M(type=1)),
                recv(),
                rar(handles=ev_handles[:64], reply_target="$s.server", msg=M(type=2), result="TimedOut",
                    out_index=None, comment="64 handles"),
                client("Success"),
                words([2, 0], thread="C")],
               setup=SU(events=EVENTS64[:63]), flags=["ArgumentCheck"],
               source="kernel-semantics.md §8 #62; §6.3 steps 2, 5", scenario="62"))
    t.append(T("sessions-reply-and-receive-invalid-wait-handle",
               "ReplyAndReceive with a stale handle in the wait list and a reply target: InvalidHandle, nothing replied, C remains blocked.",
               [close("S", "$sdead"),
                send(M(type=1)),
                recv(),
                rar(handles=["$s.server", "$sdead"], reply_target="$s.server", msg=M(type=2),
                    result="InvalidHandle"),
                client("pending"),
                reply(M(type=3)),
                client("Success"),
                words([3, 0], thread="C")],
               setup=SU(events=[("sdead", "S")]), result="invalid", flags=["ArgumentCheck", "SunriseDivergence"],
               source="kernel-semantics.md §8 #63; §6.3 step 3; §7 row 40", scenario="63"))
    t.append(T("sessions-reply-and-receive-client-session-wait-handle",
               "ReplyAndReceive with a client-session handle (S's end of session t) in the wait list and a reply target: a client session is not a synchronization object, InvalidHandle, nothing replied, C remains blocked.",
               [send(M(type=1)),
                recv(),
                rar(handles=["$s.server", "$t.client"], reply_target="$s.server", msg=M(type=2),
                    result="InvalidHandle"),
                client("pending"),
                reply(M(type=3)),
                client("Success"),
                words([3, 0], thread="C")],
               setup=SU(sessions=(("s", "S", "C"), ("t", "C", "S"))), result="invalid",
               flags=["ArgumentCheck"],
               source="kernel-semantics.md §6.3 step 3 ('a client session is not one')"))
    def wait_handle_refused(id, comment, handle, source):
        """S's wait list holds `handle` beside its session, with a reply target: the
        list is checked before the reply (§6.3 step 3), so nothing is replied."""
        t.append(T(id, comment,
                   [send(M(type=1)),
                    recv(),
                    rar(handles=["$s.server", handle], reply_target="$s.server", msg=M(type=2),
                        result="InvalidHandle"),
                    client("pending")],
                   result="invalid", flags=["ArgumentCheck"], source=source, scenario="63"))

    wait_handle_refused("sessions-reply-and-receive-pseudo-wait-handle",
                        "ReplyAndReceive with 0xffff8000 in the wait list and a reply target: pseudo-handles are not accepted there, InvalidHandle, C remains blocked.",
                        "0xffff8000",
                        "kernel-semantics.md §8 #63; §6.3 step 3 ('pseudo-handles are not accepted here')")
    t.append(T("sessions-reply-target-not-a-server-session",
               "ReplyAndReceive whose reply target is an event: InvalidHandle, out_index not written, nothing replied.",
               [send(M(type=1)),
                recv(),
                rar(handles=["$s.server"], reply_target="$sev", msg=M(type=2), result="InvalidHandle",
                    out_index=None),
                client("pending")],
               setup=SU(events=[("sev", "S")]), result="invalid", flags=["ArgumentCheck"],
               source="kernel-semantics.md §6.3 step 4; §9 (out_index)", scenario="63"))
    t.append(T("sessions-reply-with-no-request",
               "ReplyAndReceive with a reply target while no request is current: InvalidState with out_index -1, no receive.",
               [rar(handles=["$s.server"], reply_target="$s.server", msg=M(type=2), result="InvalidState",
                    out_index=-1)],
               result="invalid", flags=["ArgumentCheck", "SunriseDivergence"],
               source="kernel-semantics.md §8 #64; §5.1; §6.3 step 4; §7 row 6", scenario="64"))
    t.append(T("sessions-reply-twice",
               "A second reply to an already answered request: InvalidState, out_index -1.",
               [send(M(type=1)),
                recv(),
                reply(M(type=2)),
                client("Success"),
                rar(handles=["$s.server"], reply_target="$s.server", msg=M(type=3), result="InvalidState",
                    out_index=-1),
                words([2, 0], thread="C")],
               result="invalid", flags=["ArgumentCheck"],
               source="kernel-semantics.md §8 #64; §5.1", scenario="64"))
    t.append(T("sessions-reply-to-other-session",
               "S has a current request on s and replies to session t, which has none: InvalidState, out_index -1, C still blocked.",
               [send(M(type=1)),
                recv(),
                rar(handles=[], reply_target="$t.server", msg=M(type=2), result="InvalidState", out_index=-1),
                client("pending"),
                reply(M(type=3)),
                client("Success")],
               setup=SU(procs=("C", "D", "S"), sessions=(("s", "S", "C"), ("t", "S", "D"))),
               result="invalid", flags=["ArgumentCheck"], source="kernel-semantics.md §5.1", scenario="64"))
    for handle, slug, what in ((0, "null", "handle 0"),
                               ("0xffff8001", "process-pseudo", "0xffff8001 (the current process)")):
        wait_handle_refused("sessions-reply-and-receive-%s-wait-handle" % slug,
                            "ReplyAndReceive with %s in the wait list and a reply target: it names no synchronization object, InvalidHandle, nothing replied, C remains blocked." % what,
                            handle,
                            "kernel-semantics.md §6.3 step 3 (no pseudo-handles; steps 1-3 before the reply)")
    t.append(T("sessions-reply-and-receive-interrupt-event-wait-handle",
               "ReplyAndReceive with an unsignaled interrupt event in the wait list and a reply target: interrupt events are synchronization objects, so the reply is delivered and the wait times out.",
               [send(M(type=1)),
                recv(),
                rar(handles=["$s.server", "$sirq"], reply_target="$s.server", msg=M(type=2), result="TimedOut"),
                client("Success")],
               setup=SU(events=[("sirq", "S", "interrupt_event")]), flags=["ArgumentCheck"],
               requires=["tls-buffer", "interrupt-event"],
               source="kernel-semantics.md §6.3 step 3 (readable events, interrupt events included), step 5"))
    for target, what, setup in (
            ("$t.client", "S's client end of session t (served by T)",
             SU(procs=("C", "S", "T"), sessions=(("s", "S", "C"), ("t", "T", "S")))),
            ("$sdead", "an event handle S has closed", SU(events=[("sdead", "S")])),
            ("0xffff8001", "0xffff8001 (the current process)", SU())):
        pre = [close("S", "$sdead", result="Success")] if target == "$sdead" else []
        slug = {"$t.client": "client-session", "$sdead": "stale", "0xffff8001": "process-pseudo"}[target]
        t.append(T("sessions-reply-target-%s" % slug,
                   "ReplyAndReceive whose reply target is %s: not a server session, InvalidHandle, out_index not written, nothing replied." % what,
                   pre + [send(M(type=1)),
                          recv(),
                          rar(handles=["$s.server"], reply_target=target, msg=M(type=2), result="InvalidHandle"),
                          client("pending")],
                   setup=setup, result="invalid", flags=["ArgumentCheck"],
                   source="kernel-semantics.md §6.3 step 4; §9 (out_index)", scenario="63"))
    groups.append(G("reply-and-receive-arguments", "ReplyAndReceive argument checks, made before the reply.", t,
                    source="kernel-semantics.md §5.1, §6.3"))

    # ------------------------------------------------------------------ ordering
    t = []
    t.append(T("sessions-reply-only-idiom",
               "C is idle, then blocked; S receives and replies with no wait handles and timeout 0: the reply is delivered and S gets TimedOut.",
               [client("idle"),
                send(M(type=1, raw=[1])),
                client("pending"),
                recv(),
                reply(M(type=2, raw=[2])),
                client("Success"),
                words([2, 1, 2], thread="C")],
               flags=["Ordering"], source="kernel-semantics.md §8 #65; §6.3 step 5", scenario="65"))
    t.append(T("sessions-poll-with-nothing-pending",
               "ReplyAndReceive polls with nothing queued: TimedOut, out_index not written; with no handles and no reply target also TimedOut.",
               [poll(msg=ZERO),
                rar(handles=[], result="TimedOut", out_index=None)],
               flags=["Ordering"], source="kernel-semantics.md §6.3 step 5", scenario="65"))
    t.append(T("sessions-fifo",
               "C then C2 queue requests R1, R2 on the same session: S receives R1 first, then (replying to R1 in the same call) R2.",
               [send(M(type=0xA1)),
                send(M(type=0xA2), thread="C2"),
                recv(),
                words([0xA1, 0], thread="S"),
                rar(handles=["$s.server"], reply_target="$s.server", msg=M(type=0xB1), result="Success",
                    out_index=0, comment="reply to R1 and receive the next request"),
                words([0xA2, 0], thread="S"),
                client("Success"),
                words([0xB1, 0], thread="C"),
                client("pending", thread="C2"),
                reply(M(type=0xB2)),
                client("Success", thread="C2"),
                words([0xB2, 0], thread="C2")],
               setup=SU(threads=[("C2", "C")]), flags=["Ordering", "SunriseDivergence"],
               requires=["tls-buffer", "threads"],
               source="kernel-semantics.md §8 #66; §4.1 step 4; §4.2; §7 row 4", scenario="66"))
    t.append(T("sessions-lowest-index-wins",
               "D queues on session t before C queues on session s; S waits on [s, t]: both are signaled, so the lower index (s) is received first, then t.",
               [send(M(type=0xD), thread="D", session="$t.client"),
                send(M(type=0xC)),
                recv(handles=["$s.server", "$t.server"], out_index=0),
                words([0xC, 0], thread="S"),
                rar(handles=["$s.server", "$t.server"], reply_target="$s.server", msg=M(type=0x1C),
                    result="Success", out_index=1),
                words([0xD, 0], thread="S"),
                reply(M(type=0x1D), target="$t.server"),
                client("Success"),
                client("Success", thread="D"),
                words([0x1C, 0], thread="C"),
                words([0x1D, 0], thread="D")],
               setup=SU(procs=("C", "D", "S"), sessions=(("s", "S", "C"), ("t", "S", "D"))),
               flags=["Ordering"], source="kernel-semantics.md §6.3 step 5 (lowest index wins)", scenario="66"))
    t.append(T("sessions-no-double-receive",
               "While a request is current and unanswered, S waiting on the session again times out.",
               [send(M(type=1)),
                recv(),
                poll(comment="the session is not signaled while a request is current"),
                client("pending"),
                reply(M(type=2)),
                client("Success")],
               flags=["Ordering", "SunriseDivergence"],
               source="kernel-semantics.md §8 #67; §4.1; §4.2; §7 row 5", scenario="67"))
    t.append(T("sessions-no-receive-while-current-with-queued",
               "With R1 current and R2 queued, S's poll times out; once R1 is answered S receives R2.",
               [send(M(type=0xA1)),
                send(M(type=0xA2), thread="C2"),
                recv(),
                poll(),
                rar(handles=["$s.server"], reply_target="$s.server", msg=M(type=0xB1), result="Success",
                    out_index=0),
                words([0xA2, 0], thread="S"),
                client("Success")],
               setup=SU(threads=[("C2", "C")]), flags=["Ordering", "SunriseDivergence"],
               requires=["tls-buffer", "threads"],
               source="kernel-semantics.md §8 #67; §4.1 (signaled iff queue non-empty and nothing current)",
               scenario="67"))
    t.append(T("sessions-client-buffer-read-at-receive",
               "The client's buffer is read when S receives, not at send time: C's TLS rewritten after SendSyncRequest is what S gets.",
               [send(M(type=1, raw=[1])),
                write(thread="C", msg=M(type=2, raw=[2, 3])),
                recv(),
                words([2, 2, 2, 3], thread="S")],
               flags=["Ordering", "DebuggerWrite"], source="kernel-semantics.md §4.1 step 4"))
    nine = [("C%d" % i, "C") for i in range(2, 10)]
    t.append(T("sessions-ninth-thread",
               "C has nine threads, so more thread-local regions than one page holds: C's first and ninth threads each queue a request; S receives both in order and each reply lands in the right thread's own buffer.",
               [send(M(type=0xA1)),
                send(M(type=0xA9), thread="C9"),
                recv(),
                words([0xA1, 0], thread="S"),
                rar(handles=["$s.server"], reply_target="$s.server", msg=M(type=0xB1), result="Success",
                    out_index=0, comment="reply to C and receive C9's request"),
                words([0xA9, 0], thread="S"),
                reply(M(type=0xB9)),
                client("Success"),
                client("Success", thread="C9"),
                words([0xB1, 0], thread="C"),
                words([0xB9, 0], thread="C9")],
               setup=SU(threads=nine), flags=["Ordering"],
               requires=["tls-buffer", "threads"],
               source="kernel-semantics.md §1.1 (every thread has its own 0x200-byte thread-local region); §4.1",
               scenario="66"))
    groups.append(G("ordering", "Which request is received when.", t, source="kernel-semantics.md §4.1, §4.2, §6.3"))

    # ------------------------------------------------------------------ closure
    t = []
    t.append(T("sessions-server-close-current-and-queued",
               "S closes its session handle with R1 current and R2 queued: both clients get SessionClosed.",
               [send(M(type=0xA1)),
                send(M(type=0xA2), thread="C2"),
                recv(),
                close("S", "$s.server"),
                client("SessionClosed"),
                client("SessionClosed", thread="C2")],
               setup=SU(threads=[("C2", "C")]), result="invalid", flags=["Closure"],
               requires=["tls-buffer", "threads", "session-close"],
               source="kernel-semantics.md §8 #68; §6.4", scenario="68"))
    t.append(T("sessions-server-close-queued-only",
               "S closes its session handle while a request is queued (not yet received): the client gets SessionClosed.",
               [send(M(type=1)),
                close("S", "$s.server"),
                client("SessionClosed")],
               result="invalid", flags=["Closure"], requires=["tls-buffer", "session-close"],
               source="kernel-semantics.md §8 #68; §6.4", scenario="68"))
    t.append(T("sessions-client-close-server-sees-closed",
               "C closes its session; S's ReplyAndReceive on the session returns SessionClosed with out_index 0.",
               [close("C", "$s.client"),
                rar(handles=["$s.server"], result="SessionClosed", out_index=0)],
               result="invalid", flags=["Closure", "SunriseDivergence"], requires=["tls-buffer", "session-close"],
               source="kernel-semantics.md §8 #69; §4.2; §6.4; §7 row 10", scenario="69"))
    t.append(T("sessions-client-close-index-1",
               "S waits on [unsignaled event, session] after C closed: SessionClosed with out_index 1; the session stays signaled, so a second wait says the same.",
               [close("C", "$s.client"),
                rar(handles=["$sev", "$s.server"], result="SessionClosed", out_index=1),
                rar(handles=["$sev", "$s.server"], result="SessionClosed", out_index=1)],
               setup=SU(events=[("sev", "S")]), result="invalid", flags=["Closure"],
               requires=["tls-buffer", "session-close"],
               source="kernel-semantics.md §8 #69; §6.4 (permanently signaled)", scenario="69"))
    # Not asserted: a *synchronous* client closing its handle while blocked in SendSyncRequest.
    # §8 #70 specifies the async client only; in mesosphère the in-flight syscall holds a
    # reference to the client session, so whether the session is closed before the call
    # returns is not stated by kernel-semantics.md (decision: no vector).
    t.append(T("sessions-client-close-before-reply-async",
               "C sent asynchronously, S received, then C closed its session: S's reply returns SessionClosed with out_index -1 and its move handle is closed.",
               [send_async(M(type=1), buffer=ub(UB_C, 0x1000)),
                recv(),
                close("C", "$s.client"),
                count("S", "$nS"),
                rar(handles=[], reply_target="$s.server", msg=M(type=2, move=["$sev"]), result="SessionClosed",
                    out_index=-1),
                xhandle("S", "$sev", False),
                xcount("S", "$nS-1")],
               setup=SU(events=[("sev", "S")], memory=[mem("C", UB_C, 0x1000)]), result="invalid",
               flags=["Closure", "Async"], requires=["tls-buffer", "session-close", "move-handles"] + ASYNC,
               source="kernel-semantics.md §8 #70; §6.4", scenario="70"))
    t.append(T("sessions-send-after-server-close",
               "S has closed its session handle; C's SendSyncRequest returns SessionClosed at once.",
               [close("S", "$s.server"),
                send(M(type=1), expect="SessionClosed")],
               result="invalid", flags=["Closure"], requires=["tls-buffer", "session-close"],
               source="kernel-semantics.md §8 #71; §4.1 step 3; §6.4", scenario="71"))
    t.append(T("sessions-close-pseudo-handles",
               "C closes the pseudo-handles 0xffff8001 (current process) and 0xffff8000 (current thread): each close succeeds and removes nothing; C's session still works.",
               [count("C", "$nC"),
                close("C", "0xffff8001", result="Success"),
                close("C", "0xffff8000", result="Success"),
                xcount("C", "$nC"),
                send(M(type=1)),
                recv(),
                reply(M(type=2)),
                client("Success")],
               source="kernel-semantics.md §2.10 (Remove of a pseudo-handle does nothing and reports nothing)"))
    groups.append(G("closure", "Closing either end of a session. Decision: a synchronous client closing its own handle while blocked in SendSyncRequest is not tested (§8 #70 names the async client; whether the in-flight call keeps the session open is not stated).", t, source="kernel-semantics.md §6.4"))

    # ------------------------------------------------------------------ async
    t = []
    amem = SU(memory=[mem("C", UB_C, 0x1000)])
    t.append(T("sessions-async-request-and-reply",
               "An async request returns at once with an unsignaled event; after S's reply the event is signaled and C's buffer holds the reply.",
               [send_async(M(type=1, raw=[1, 2]), buffer=ub(UB_C, 0x1000)),
                xevent("C", "$aev", False),
                recv(),
                words([1, 2, 1, 2], thread="S"),
                reply(M(type=2, raw=[9])),
                xevent("C", "$aev", True),
                words([2, 1, 9, 2], process="C", address=UB_C, size=0x1000),
                access("C", UB_C, 0x1000, True, True)],
               setup=amem, flags=["Async"], requires=["tls-buffer"] + ASYNC,
               source="kernel-semantics.md §6.6"))
    t.append(T("sessions-async-event-wait",
               "C waits on its async request's event with ReplyAndReceive: TimedOut before S replies; after the reply the event is a signaled object that is not a session, so the wait returns Success with out_index 0.",
               [send_async(M(type=1, raw=[1, 2]), buffer=ub(UB_C, 0x1000)),
                rar(thread="C", handles=["$aev"], result="TimedOut",
                    comment="the event is not signaled yet: the poll times out"),
                recv(),
                reply(M(type=2, raw=[9])),
                rar(thread="C", handles=["$aev"], result="Success", out_index=0,
                    comment="the completed request signaled the event")],
               setup=amem, flags=["Async"], requires=["tls-buffer"] + ASYNC,
               source="kernel-semantics.md §6.3 steps 5, 6; §6.6"))
    t.append(T("sessions-async-receive-failure-null-header",
               "An async request that fails its own size check at receive time: S keeps waiting; C's event is signaled and its buffer holds a null header followed by 0xe801.",
               [send_async(hexs=le(1, 1023), buffer=ub(UB_C, 0x1000)),
                poll(msg=ZERO),
                xevent("C", "$aev", True),
                words([0, 0, 0xE801], process="C", address=UB_C, size=0x1000),
                access("C", UB_C, 0x1000, True, True)],
               setup=amem, result="invalid", flags=["Async"], requires=["tls-buffer"] + ASYNC,
               source="kernel-semantics.md §6.6; §4.3 step 2; §4.6"))
    t.append(T("sessions-async-server-close",
               "S closes its session with an async request queued: the event is signaled and the buffer holds a null header followed by 0xf601.",
               [send_async(M(type=1), buffer=ub(UB_C, 0x1000)),
                close("S", "$s.server"),
                xevent("C", "$aev", True),
                words([0, 0, 0xF601], process="C", address=UB_C, size=0x1000)],
               setup=amem, result="invalid", flags=["Async", "Closure"],
               requires=["session-close"] + ASYNC, source="kernel-semantics.md §6.4; §6.6", scenario="68"))
    t.append(T("sessions-async-client-close-queued",
               "C closes its session with its own async request still queued: the request is completed with SessionClosed (event signaled, null header + 0xf601).",
               [send_async(M(type=1), buffer=ub(UB_C, 0x1000)),
                close("C", "$s.client"),
                xevent("C", "$aev", True),
                words([0, 0, 0xF601], process="C", address=UB_C, size=0x1000)],
               setup=amem, result="invalid", flags=["Async", "Closure"],
               requires=["session-close"] + ASYNC, source="kernel-semantics.md §6.4 (client end closed); §6.6",
               scenario="69"))
    t.append(T("sessions-async-send-after-server-close",
               "S has closed its session handle; C's SendAsyncRequestWithUserBuffer fails with SessionClosed at once: the event handle it had added is removed again, and the user buffer is unlocked (the call has ended).",
               [close("S", "$s.server"),
                count("C", "$nC", comment="C's handle count before the call"),
                send_async(M(type=1), buffer=ub(UB_C, 0x1000), result="SessionClosed"),
                xcount("C", "$nC", comment="no event handle is left in C's table (§6.6)"),
                mapping("C", UB_C, state="Normal", permission="rw",
                        attributes={"locked": False, "ipc_locked": False, "device_shared": False,
                                    "uncached": False, "permission_locked": False},
                        comment="the buffer is unlocked: read-write again, no Locked attribute (§1.2)")],
               setup=amem, result="invalid", flags=["Async", "Closure"],
               requires=["session-close", "memory-query"] + ASYNC,
               source="kernel-semantics.md §6.6 (on such a failure the event handle is removed again); §1.2 (the kernel unlocks the buffer when the call ends); §6.4"))
    groups.append(G("async", "SendAsyncRequestWithUserBuffer completion.", t, source="kernel-semantics.md §6.6"))

    return FILE("sessions",
                "Session-level behaviour: SendSyncRequest and ReplyAndReceive argument checks (handles, user buffers, wait lists, reply targets), the reply-only idiom, FIFO order, one current request per session, session closure from either end, async completion.",
                ["kernel-semantics.md §1.2", "kernel-semantics.md §4.1", "kernel-semantics.md §4.2",
                 "kernel-semantics.md §5.1", "kernel-semantics.md §6.2", "kernel-semantics.md §6.3",
                 "kernel-semantics.md §6.4", "kernel-semantics.md §6.6", "kernel-semantics.md §8 #60-71"],
                notes, groups)
