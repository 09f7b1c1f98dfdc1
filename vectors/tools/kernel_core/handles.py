"""vectors/kernel/copy-handles.json (§8 #13-22) and vectors/kernel/move-handles.json (§8 #23-27)."""

from common import *

W31 = 1 << 31
CUR_THREAD = "0xffff8000"
CUR_PROCESS = "0xffff8001"
# Index 0x7fff (bits 0..14) is beyond any table (capacity <= 1024, §2.10); bits 30..31 clear.
OUT_OF_RANGE_HANDLE = "0x3fffffff"
OFF60 = 60 << 20  # header word 1 with ReceiveListOffset 60 (L = 60): the receive list is far away

CH = ["tls-buffer", "copy-handles"]
MH = ["tls-buffer", "move-handles"]


def copy_file():
    notes = {
        "PseudoHandle": "A pseudo-handle (0xffff8000 current thread, 0xffff8001 current process) is copied; it names the sender's thread/process (§4.3 step 8, §5.2 step 9).",
        "Rollback": "A failure after handles were inserted: every handle the kernel created in the destination during this translation is removed again (§4.7 server handle table; §5.4 client handle table). Only handle-table state and the restored header words are asserted (§9).",
        "ResultRouting": "Checks what the server sees of a failed request: ReceiveListBroken when the failure happened after the special data overran its receive-list index (all-zero server header, L = 2), otherwise nothing (it keeps waiting) (§4.6).",
        "HandleLimit": "The destination handle table is made full with handle_capacity (§2.10: OutOfHandles).",
        "Boundary": "The write cursor ends exactly at, or one word past, the server's receive-list index L (§4.6 'broken' uses a strict >).",
        "Reply": "The copy is in a reply (server to client, §5.2 step 9).",
        "SunriseDivergence": "SunriseOS differs (§7, row in the comment): copy of handle 0 fails (24), pseudo-handles resolve to the receiver (25), interrupt events are transferred (26), the table is unbounded (27), no rollback (29), no ReceiveListBroken (9).",
    }
    groups = []

    # ------------------------------------------------------------------ request successes
    t = []
    t.append(T("copy-handles-event",
               "C copies an event handle: S sees a new handle to the same event, its table grows by one, C's handle stays valid.",
               [count("S", "$nS"), count("C", "$nC"),
                send(M(type=1, copy=["$ev"])),
                recv(),
                xmsg(M(type=1, copy=["$h1"]), thread="S"),
                words([1, W31, 2], thread="S", comment="header and special header (1 copy slot) verbatim"),
                xhandle("S", "$h1", True, {"process": "C", "handle": "$ev"}),
                xcount("S", "$nS+1"),
                xhandle("C", "$ev", True),
                xcount("C", "$nC"),
                reply(M(type=2)),
                client("Success")],
               setup=SU(events=[("ev", "C")]), requires=CH,
               source="kernel-semantics.md §8 #13; §4.3 step 8", scenario="13"))
    t.append(T("copy-handles-null",
               "C copies handle 0: S sees 0, no handle is created, the request succeeds.",
               [count("S", "$nS"),
                send(M(type=1, copy=[0])),
                recv(),
                xmsg(M(type=1, copy=[0]), thread="S"),
                xcount("S", "$nS"),
                reply(M(type=2)),
                client("Success")],
               flags=["SunriseDivergence"], requires=CH,
               source="kernel-semantics.md §8 #14; §4.3 step 8; §7 row 24", scenario="14"))
    t.append(T("copy-handles-current-process",
               "C copies 0xffff8001: S gets a handle to C's process object (the sender's), not its own.",
               [count("S", "$nS"),
                send(M(type=1, copy=[CUR_PROCESS])),
                recv(),
                xmsg(M(type=1, copy=["$h1"]), thread="S"),
                xhandle("S", "$h1", True, {"process_object": "C"}),
                xcount("S", "$nS+1")],
               flags=["PseudoHandle", "SunriseDivergence"], requires=CH,
               source="kernel-semantics.md §8 #15; §4.3 step 8; §7 row 25", scenario="15"))
    t.append(T("copy-handles-current-thread",
               "C copies 0xffff8000: S gets a handle to C's sending thread.",
               [count("S", "$nS"),
                send(M(type=1, copy=[CUR_THREAD])),
                recv(),
                xmsg(M(type=1, copy=["$h1"]), thread="S"),
                xhandle("S", "$h1", True, {"thread_object": "C"}),
                xcount("S", "$nS+1")],
               flags=["PseudoHandle", "SunriseDivergence"], requires=CH,
               source="kernel-semantics.md §8 #16; §4.3 step 8; §7 row 25", scenario="16"))
    t.append(T("copy-handles-current-thread-second-thread",
               "C's second thread C2 sends 0xffff8000: S's handle names C2 (the sending thread), not C's main thread.",
               [send(M(type=1, copy=[CUR_THREAD]), thread="C2"),
                recv(),
                xmsg(M(type=1, copy=["$h1"]), thread="S"),
                xhandle("S", "$h1", True, {"thread_object": "C2"})],
               setup=SU(threads=[("C2", "C")]), flags=["PseudoHandle"],
               requires=["tls-buffer", "copy-handles", "threads"],
               source="kernel-semantics.md §8 #16; §4.3 step 8", scenario="16"))
    t.append(T("copy-handles-pseudo-handles-and-event",
               "C copies [0xffff8001, ev, 0xffff8000]: S gets three handles naming C's process, the event and C's thread, in slot order.",
               [count("S", "$nS"),
                send(M(type=1, copy=[CUR_PROCESS, "$ev", CUR_THREAD], raw=[7])),
                recv(),
                xmsg(M(type=1, copy=["$h1", "$h2", "$h3"], raw=[7]), thread="S"),
                xhandle("S", "$h1", True, {"process_object": "C"}),
                xhandle("S", "$h2", True, {"process": "C", "handle": "$ev"}),
                xhandle("S", "$h3", True, {"thread_object": "C"}),
                xcount("S", "$nS+3")],
               setup=SU(events=[("ev", "C")]), flags=["PseudoHandle"], requires=CH,
               source="kernel-semantics.md §4.3 step 8", scenario="15"))
    t.append(T("copy-handles-same-event-twice",
               "C copies the same event twice: S gets two handles (its table grows by two), both naming the event.",
               [count("S", "$nS"),
                send(M(type=1, copy=["$ev", "$ev"])),
                recv(),
                xmsg(M(type=1, copy=["$h1", "$h2"]), thread="S"),
                xhandle("S", "$h1", True, {"process": "C", "handle": "$ev"}),
                xhandle("S", "$h2", True, {"process": "C", "handle": "$ev"}),
                xcount("S", "$nS+2")],
               setup=SU(events=[("ev", "C")]), requires=CH,
               source="kernel-semantics.md §4.3 step 8 (each slot inserted)", scenario="13"))
    hs = ["$h%d" % i for i in range(1, 16)]
    t.append(T("copy-handles-fifteen",
               "C copies the maximum of 15 handles with raw data after them: S's table grows by 15 and the raw data follows the 15 slots.",
               [count("S", "$nS"),
                send(M(type=1, copy=["$ev"] * 15, raw=[0x99])),
                recv(),
                xmsg(M(type=1, copy=hs, raw=[0x99]), thread="S"),
                words([1, 1 | W31, 15 << 1], thread="S"),
                words([0x99], thread="S", offset=18),
                xhandle("S", "$h1", True, {"process": "C", "handle": "$ev"}),
                xhandle("S", "$h15", True, {"process": "C", "handle": "$ev"}),
                xcount("S", "$nS+15")],
               setup=SU(events=[("ev", "C")]), requires=CH,
               source="kernel-semantics.md §2.3; §2.4; §4.3 step 8", scenario="13"))
    t.append(T("copy-handles-null-then-event",
               "C copies [0, ev]: S sees [0, new handle]; only one handle is created.",
               [count("S", "$nS"),
                send(M(type=1, copy=[0, "$ev"])),
                recv(),
                xmsg(M(type=1, copy=[0, "$h1"]), thread="S"),
                xhandle("S", "$h1", True, {"process": "C", "handle": "$ev"}),
                xcount("S", "$nS+1")],
               setup=SU(events=[("ev", "C")]), requires=CH,
               source="kernel-semantics.md §4.3 step 8", scenario="14"))
    def session_end_copied(id, comment, handle, setup=None):
        """C copies a session end it holds: S's new handle names it, C's stays valid."""
        t.append(T(id, comment,
                   [count("S", "$nS"),
                    send(M(type=1, copy=[handle])),
                    recv(),
                    xmsg(M(type=1, copy=["$h1"]), thread="S"),
                    xhandle("S", "$h1", True, {"process": "C", "handle": handle}),
                    xhandle("C", handle, True),
                    xcount("S", "$nS+1")],
                   setup=setup, requires=CH,
                   source="kernel-semantics.md §4.3 step 8 (any object but an InterruptEvent)",
                   scenario="13"))

    session_end_copied("copy-handles-client-session-handle",
                       "C copies its own client-session handle: S gets a handle naming that client session.",
                       "$s.client")
    t.append(T("copy-handles-stale-after-slot-reuse",
               "S's table (capacity 2) holds its session and event sev; S closes sev, then C copies an event: the new handle must take sev's slot (the only free one) with a new linear id, so sev's old value stays invalid while the new handle names C's event.",
               [close("S", "$sev", comment="S's table now has one free slot"),
                count("S", "$nS"),
                send(M(type=1, copy=["$ev"])),
                recv(),
                xmsg(M(type=1, copy=["$h1"]), thread="S"),
                xhandle("S", "$h1", True, {"process": "C", "handle": "$ev"}),
                xhandle("S", "$sev", False, comment="same slot, older linear id: the lookup fails"),
                xcount("S", "$nS+1")],
               setup=SU(events=[("ev", "C"), ("sev", "S")], capacity={"S": 2}), flags=["HandleLimit"],
               requires=["tls-buffer", "copy-handles", "handle-limit"],
               source="kernel-semantics.md §2.10 (linear id incremented on every allocation; a slot holding a different linear id fails the lookup)",
               scenario="13"))
    session_end_copied("copy-handles-server-session-handle",
                       "C holds the server end of session t (whose client is T) and copies it: S gets a handle naming that server session; C's handle stays valid.",
                       "$t.server",
                       setup=SU(procs=("C", "S", "T"), sessions=(("s", "S", "C"), ("t", "C", "T"))))
    groups.append(G("request-copies", "Copy handles in requests that succeed.", t,
                    source="kernel-semantics.md §4.3 step 8"))

    # ------------------------------------------------------------------ request failures
    t = []
    stale = [close("C", "$dead", comment="close one of C's events: its handle value is now stale")]
    t.append(T("copy-handles-stale-handle",
               "C copies a handle it has closed: C gets InvalidHandle; S (all-zero header, so its receive list is overrun by the special data) gets ReceiveListBroken; S's table is unchanged.",
               stale + [count("S", "$nS"),
                        send(M(type=1, copy=["$dead"])),
                        broken(),
                        client("InvalidHandle"),
                        xcount("S", "$nS")],
               setup=SU(events=[("dead", "C")]), result="invalid", flags=["ResultRouting"], requires=CH,
               source="kernel-semantics.md §8 #17; §4.3 step 8; §4.6", scenario="17"))
    t.append(T("copy-handles-out-of-range-handle",
               "C copies 0x3fffffff (table index 0x7fff, beyond any table): InvalidHandle; S's table unchanged.",
               [count("S", "$nS"),
                send(M(type=1, copy=[OUT_OF_RANGE_HANDLE])),
                broken(),
                client("InvalidHandle"),
                xcount("S", "$nS")],
               result="invalid", flags=["ResultRouting"], requires=CH,
               source="kernel-semantics.md §8 #17; §2.10 (index >= table size)", scenario="17"))
    t.append(T("copy-handles-invalid-middle-not-broken",
               "C copies [valid, invalid, valid] and S's header puts its receive list at word 60: C gets InvalidHandle, S is not woken, the handle inserted for the first slot is removed again, S's words 0..1 are restored, C's handles are untouched.",
               stale + [count("S", "$nS"), count("C", "$nC"),
                        send(M(type=1, copy=["$ev", "$dead", "$ev2"])),
                        poll(hexs=le(0, OFF60), comment="S's header: ReceiveListOffset 60, no special header (word 1 = 0x03c00000)"),
                        client("InvalidHandle"),
                        xcount("S", "$nS"),
                        words([0, OFF60], thread="S", comment="header words restored (receive list not broken)"),
                        words([1, W31, 3 << 1, "$ev", "$dead", "$ev2"], thread="C",
                              comment="C's buffer is never written on this path"),
                        xhandle("C", "$ev", True), xhandle("C", "$ev2", True),
                        xcount("C", "$nC")],
               setup=SU(events=[("ev", "C"), ("dead", "C"), ("ev2", "C")]), result="invalid",
               flags=["Rollback", "ResultRouting", "SunriseDivergence"],
               requires=["tls-buffer", "copy-handles", "receive-list-offset"],
               source="kernel-semantics.md §8 #18; §4.3 step 8; §4.6; §4.7; §7 row 29", scenario="18"))
    t.append(T("copy-handles-invalid-middle-broken",
               "Same as the previous test with S's header all zero: C gets InvalidHandle, S gets ReceiveListBroken at index 0, S's table unchanged.",
               stale + [count("S", "$nS"), count("C", "$nC"),
                        send(M(type=1, copy=["$ev", "$dead", "$ev2"])),
                        broken(),
                        client("InvalidHandle"),
                        xcount("S", "$nS"),
                        xhandle("C", "$ev", True), xhandle("C", "$ev2", True),
                        xcount("C", "$nC")],
               setup=SU(events=[("ev", "C"), ("dead", "C"), ("ev2", "C")]), result="invalid",
               flags=["Rollback", "ResultRouting", "SunriseDivergence"], requires=CH,
               source="kernel-semantics.md §8 #19; §4.6; §4.7; §7 rows 9, 29", scenario="19"))
    t.append(T("copy-handles-invalid-broken-index-1",
               "S waits on [unsignaled event, session] with an all-zero header; C copies a stale handle: S gets ReceiveListBroken with out_index 1 (the session's index).",
               stale + [count("S", "$nS"),
                        send(M(type=1, copy=["$dead"])),
                        broken(handles=["$sev", "$s.server"], out_index=1),
                        client("InvalidHandle"),
                        xcount("S", "$nS")],
               setup=SU(events=[("dead", "C"), ("sev", "S")]), result="invalid",
               flags=["ResultRouting"], requires=CH,
               source="kernel-semantics.md §8 #19; §4.6; §6.3 step 6", scenario="19"))
    for lidx, is_broken in ((4, False), (3, True)):
        steps = stale + [count("S", "$nS"), send(M(type=1, copy=["$dead"]))]
        if is_broken:
            steps.append(broken(msg=None, hexs=le(0, lidx << 20),
                                comment="special data ends at word 4 > L = 3: the receive list is broken"))
        else:
            steps += [poll(hexs=le(0, lidx << 20),
                           comment="special data ends at word 4 = L: not broken, S keeps waiting"),
                      words([0, lidx << 20], thread="S", comment="header words restored")]
        steps += [client("InvalidHandle"), xcount("S", "$nS")]
        t.append(T("copy-handles-broken-boundary-offset-%d" % lidx,
                   "S's receive list starts at word %d (ReceiveListOffset %d); C's special data (one copy slot) ends at word 4 and the copy fails: %s." % (
                       lidx, lidx, "the cursor passed L, so S gets ReceiveListBroken" if is_broken
                       else "the cursor did not pass L, so S keeps waiting with its header restored"),
                   steps, setup=SU(events=[("dead", "C")]), result="invalid",
                   flags=["ResultRouting", "Boundary"] + ([] if is_broken else ["Rollback"]),
                   requires=["tls-buffer", "copy-handles", "receive-list-offset"],
                   source="kernel-semantics.md §4.6 ('after the special-data step if the cursor > L'); §4.7",
                   scenario="18" if not is_broken else "19"))
    t.append(T("copy-handles-rollback-restores-special-header-word",
               "S's prepared header has its own special header (reserved bits 0xabc00000) and ReceiveListOffset 60; C copies a stale handle: S's words 0..2 are restored after the failure.",
               stale + [count("S", "$nS"),
                        send(M(type=1, copy=["$dead"])),
                        poll(hexs=le(0, W31 | OFF60, 0xABC00000)),
                        client("InvalidHandle"),
                        words([0, W31 | OFF60, 0xABC00000], thread="S"),
                        xcount("S", "$nS")],
               setup=SU(events=[("dead", "C")]), result="invalid", flags=["Rollback", "ResultRouting"],
               requires=["tls-buffer", "copy-handles", "receive-list-offset"],
               source="kernel-semantics.md §4.7 (server buffer row); §4.8", scenario="18"))
    t.append(T("copy-handles-bit30-set",
               "C copies 0x40000001 (reserved bit 30 set): InvalidHandle.",
               [count("S", "$nS"),
                send(M(type=1, copy=["0x40000001"])),
                broken(),
                client("InvalidHandle"),
                xcount("S", "$nS")],
               result="invalid", flags=["ResultRouting"], requires=CH,
               source="kernel-semantics.md §8 #20; §2.10", scenario="20"))
    t.append(T("copy-handles-real-handle-with-bit30",
               "C copies its valid event handle with bit 30 added: the lookup rejects the reserved bit, InvalidHandle.",
               [count("S", "$nS"),
                send(M(type=1, copy=["$ev+0x40000000"])),
                broken(),
                client("InvalidHandle"),
                xcount("S", "$nS"),
                xhandle("C", "$ev", True)],
               setup=SU(events=[("ev", "C")]), result="invalid", flags=["ResultRouting"], requires=CH,
               source="kernel-semantics.md §8 #20; §2.10 (bits 30..31 must be 0)", scenario="20"))
    t.append(T("copy-handles-real-handle-with-bit31",
               "C copies its valid event handle with bit 31 added: InvalidHandle.",
               [count("S", "$nS"),
                send(M(type=1, copy=["$ev+0x80000000"])),
                broken(),
                client("InvalidHandle"),
                xcount("S", "$nS")],
               setup=SU(events=[("ev", "C")]), result="invalid", flags=["ResultRouting"], requires=CH,
               source="kernel-semantics.md §2.10 (bits 30..31 must be 0)", scenario="20"))
    t.append(T("copy-handles-interrupt-event",
               "C copies an interrupt-event handle: InvalidHandle; C's handle stays valid, S's table unchanged.",
               [count("S", "$nS"),
                send(M(type=1, copy=["$irq"])),
                broken(),
                client("InvalidHandle"),
                xcount("S", "$nS"),
                xhandle("C", "$irq", True)],
               setup=SU(events=[("irq", "C", "interrupt_event")]), result="invalid",
               flags=["ResultRouting", "SunriseDivergence"],
               requires=["tls-buffer", "copy-handles", "interrupt-event"],
               source="kernel-semantics.md §8 #21; §4.3 step 8; §7 row 26", scenario="21"))
    full = SU(events=[("ev", "C"), ("sfill", "S")], capacity={"S": 2})
    t.append(T("copy-handles-server-table-full",
               "S's handle table (capacity 2: its session and one event) is full; C copies one handle: OutOfHandles, no handle leaked on either side.",
               [xcount("S", 2, comment="premise: S's table is full"),
                count("C", "$nC"),
                send(M(type=1, copy=["$ev"])),
                broken(),
                client("OutOfHandles"),
                xcount("S", 2),
                xhandle("C", "$ev", True),
                xcount("C", "$nC")],
               setup=full, result="invalid", flags=["HandleLimit", "ResultRouting", "SunriseDivergence"],
               requires=["tls-buffer", "copy-handles", "handle-limit"],
               source="kernel-semantics.md §8 #22; §4.3 step 8; §7 row 27", scenario="22"))
    t.append(T("copy-handles-server-table-full-not-broken",
               "As the previous test with S's receive list at word 60: OutOfHandles to C, S keeps waiting with its header words restored.",
               [xcount("S", 2, comment="premise: S's table is full"),
                send(M(type=1, copy=["$ev"])),
                poll(hexs=le(0, OFF60)),
                client("OutOfHandles"),
                xcount("S", 2),
                words([0, OFF60], thread="S")],
               setup=full, result="invalid", flags=["HandleLimit", "ResultRouting", "Rollback"],
               requires=["tls-buffer", "copy-handles", "handle-limit", "receive-list-offset"],
               source="kernel-semantics.md §8 #22; §4.6; §4.7", scenario="22"))
    t.append(T("copy-handles-server-table-room-for-one",
               "S's table has room for one handle; C copies two: OutOfHandles, and the first copy is removed again.",
               [xcount("S", 2, comment="premise: 2 of 3 slots used"),
                send(M(type=1, copy=["$ev", "$ev2"])),
                broken(),
                client("OutOfHandles"),
                xcount("S", 2),
                xhandle("C", "$ev", True), xhandle("C", "$ev2", True)],
               setup=SU(events=[("ev", "C"), ("ev2", "C"), ("sfill", "S")], capacity={"S": 3}),
               result="invalid", flags=["HandleLimit", "Rollback", "ResultRouting"],
               requires=["tls-buffer", "copy-handles", "handle-limit"],
               source="kernel-semantics.md §4.3 step 8; §4.7", scenario="22"))
    t.append(T("copy-handles-failure-then-valid-request",
               "After a copy failure the session still works: C's next request with a valid copy is received normally.",
               stale + [count("S", "$nS"),
                        send(M(type=1, copy=["$dead"])),
                        broken(),
                        client("InvalidHandle"),
                        send(M(type=2, copy=["$ev"])),
                        recv(),
                        xmsg(M(type=2, copy=["$h1"]), thread="S"),
                        xhandle("S", "$h1", True, {"process": "C", "handle": "$ev"}),
                        xcount("S", "$nS+1")],
               setup=SU(events=[("ev", "C"), ("dead", "C")]), flags=["ResultRouting"], requires=CH,
               source="kernel-semantics.md §4.6 (the request is no longer current)", scenario="17"))
    groups.append(G("request-copy-failures", "Copy handles in requests that fail. Per §9 only handle tables, the restored header words and the results are asserted, never the zeroed slots; the §4.7 rollback-skip quirk (request receive list beyond the server buffer) is avoided. 0x3fffffff is taken as invalid on every kernel because its table index 0x7fff exceeds any capacity (§2.10).", t,
                    source="kernel-semantics.md §4.3 step 8, §4.6, §4.7"))

    # ------------------------------------------------------------------ replies
    t = []

    def reply_test(id, comment, copies, extra_setup_events, checks, result="valid", flags=("Reply",),
                   requires=CH, source="kernel-semantics.md §5.2 step 9", scenario=None, status="Success",
                   pre=(), setup=None, seen=None):
        steps = list(pre) + [count("C", "$nC"), count("S", "$nS"),
                             send(M(type=1)),
                             recv(),
                             reply(M(type=2, copy=copies)),
                             client(status)]
        if seen is not None:
            steps.append(xmsg(M(type=2, copy=seen), thread="C"))
        steps += checks
        t.append(T(id, comment, steps, setup=setup or SU(events=extra_setup_events), result=result,
                   flags=list(flags), requires=requires, source=source, scenario=scenario))

    reply_test("copy-handles-reply-event",
               "S copies its event in a reply: C gets a new handle to it, S's handle stays valid.",
               ["$sev"], [("sev", "S")],
               [xhandle("C", "$h1", True, {"process": "S", "handle": "$sev"}),
                xcount("C", "$nC+1"), xhandle("S", "$sev", True), xcount("S", "$nS")],
               seen=["$h1"], scenario="13")
    reply_test("copy-handles-reply-null",
               "S copies handle 0 in a reply: C sees 0 and gains no handle.",
               [0], [], [xcount("C", "$nC")], seen=[0], scenario="14")
    reply_test("copy-handles-reply-current-process",
               "S copies 0xffff8001 in a reply: C gets a handle to S's process (the replier).",
               [CUR_PROCESS], [], [xhandle("C", "$h1", True, {"process_object": "S"}), xcount("C", "$nC+1")],
               seen=["$h1"], flags=["Reply", "PseudoHandle"], scenario="15")
    reply_test("copy-handles-reply-current-thread",
               "S copies 0xffff8000 in a reply: C gets a handle to S's replying thread.",
               [CUR_THREAD], [], [xhandle("C", "$h1", True, {"thread_object": "S"}), xcount("C", "$nC+1")],
               seen=["$h1"], flags=["Reply", "PseudoHandle"], scenario="16")
    t.append(T("copy-handles-reply-current-thread-second-server-thread",
               "S's second thread S2 receives and replies copying 0xffff8000: C's handle names S2.",
               [send(M(type=1)),
                recv(thread="S2"),
                reply(M(type=2, copy=[CUR_THREAD]), thread="S2"),
                client("Success"),
                xmsg(M(type=2, copy=["$h1"]), thread="C"),
                xhandle("C", "$h1", True, {"thread_object": "S2"})],
               setup=SU(threads=[("S2", "S")]), flags=["Reply", "PseudoHandle"],
               requires=["tls-buffer", "copy-handles", "threads"],
               source="kernel-semantics.md §5.2 step 9 (pseudo-handles resolve to the replying thread)",
               scenario="16"))
    reply_test("copy-handles-reply-stale-handle",
               "S copies a handle it has closed: C gets InvalidHandle and gains no handle; S's reply half succeeds.",
               ["$sdead"], [("sdead", "S")],
               [xcount("C", "$nC"), xcount("S", "$nS")],
               pre=[close("S", "$sdead")], result="invalid", status="InvalidHandle",
               flags=["Reply", "ResultRouting"], source="kernel-semantics.md §5.2 step 9; §5.3", scenario="17")
    reply_test("copy-handles-reply-valid-then-stale",
               "S copies [valid, stale]: C gets InvalidHandle and the handle inserted for the first slot is removed again; S's copy handles are untouched.",
               ["$sev", "$sdead"], [("sev", "S"), ("sdead", "S")],
               [xcount("C", "$nC"), xcount("S", "$nS"), xhandle("S", "$sev", True)],
               pre=[close("S", "$sdead")], result="invalid", status="InvalidHandle",
               flags=["Reply", "Rollback"], source="kernel-semantics.md §5.2 step 9; §5.4", scenario="18")
    reply_test("copy-handles-reply-interrupt-event",
               "S copies an interrupt event in a reply: InvalidHandle to C; S's handle stays valid.",
               ["$sirq"], [("sirq", "S", "interrupt_event")],
               [xcount("C", "$nC"), xhandle("S", "$sirq", True)],
               result="invalid", status="InvalidHandle", flags=["Reply", "SunriseDivergence"],
               requires=["tls-buffer", "copy-handles", "interrupt-event"],
               source="kernel-semantics.md §5.2 step 9; §7 row 26", scenario="21")
    reply_test("copy-handles-reply-bit30-set",
               "S copies 0x40000001 in a reply: InvalidHandle to C.",
               ["0x40000001"], [], [xcount("C", "$nC")],
               result="invalid", status="InvalidHandle", source="kernel-semantics.md §5.2 step 9; §2.10",
               scenario="20")
    reply_test("copy-handles-reply-client-table-full",
               "C's table (capacity 1: its session) is full; S copies an event in the reply: C gets OutOfHandles, S's handle stays valid.",
               ["$sev"], None,
               [xcount("C", 1), xhandle("S", "$sev", True), xcount("S", "$nS")],
               pre=[xcount("C", 1, comment="premise: C's table is full")],
               setup=SU(events=[("sev", "S")], capacity={"C": 1}),
               result="invalid", status="OutOfHandles", flags=["Reply", "HandleLimit"],
               requires=["tls-buffer", "copy-handles", "handle-limit"],
               source="kernel-semantics.md §5.2 step 9", scenario="22")
    for end, sessions in (("client", ("t", "T", "S")), ("server", ("t", "S", "T"))):
        reply_test("copy-handles-reply-%s-session-handle" % end,
                   "S holds the %s end of session t (the other end is T's) and copies it in a reply: C gets a handle naming that %s session; S's handle stays valid." % (end, end),
                   ["$t.%s" % end], None,
                   [xhandle("C", "$h1", True, {"process": "S", "handle": "$t.%s" % end}),
                    xcount("C", "$nC+1"), xhandle("S", "$t.%s" % end, True), xcount("S", "$nS")],
                   setup=SU(procs=("C", "S", "T"), sessions=(("s", "S", "C"), sessions)),
                   seen=["$h1"], source="kernel-semantics.md §5.2 step 9 (as §4.3 step 8: any object but an InterruptEvent)",
                   scenario="13")
    groups.append(G("reply-copies", "Copy handles in replies.", t, source="kernel-semantics.md §5.2 step 9, §5.4"))

    return FILE("copy-handles",
                "Copy handles: translation into the receiver's table, handle 0, pseudo-handles naming the sender's process and thread, invalid and reserved-bit handles, interrupt events, full tables, and the rollback of handles already inserted when a later slot fails.",
                ["kernel-semantics.md §2.10", "kernel-semantics.md §4.3 step 8", "kernel-semantics.md §4.6",
                 "kernel-semantics.md §4.7", "kernel-semantics.md §5.2 step 9", "kernel-semantics.md §5.4",
                 "kernel-semantics.md §8 #13-22"],
                notes, groups)


def move_file():
    notes = {
        "RequestRefused": "Move handles are not allowed in requests: InvalidCombination before anything is written (§4.3 step 6).",
        "ConsumedOnFailure": "The server's move handle is removed from its table even though the reply failed (§5.2 step 9 'removed anyway', §5.4).",
        "Rollback": "Handles already inserted into the client's table by the failed reply are removed again (§5.4 client handle table).",
        "ResultRouting": "The client gets the reply's error; the server's reply half succeeds (§5.3), seen here as TimedOut from the reply-only idiom.",
        "HandleLimit": "The client's table is made full with handle_capacity.",
        "SunriseDivergence": "SunriseOS differs (§7, row in the comment): it accepts moves in requests (28) and returns at the first failure without consuming later moves or rolling back (29).",
    }
    groups = []

    # ------------------------------------------------------------------ requests
    t = []

    def req_refused(id, comment, msg, events, extra_checks=(), scenario="23", requires=MH, flags=()):
        steps = [fill_tls("S"), count("S", "$nS"), count("C", "$nC"),
                 send(msg),
                 poll(hexs=le(0, 0), comment="S is not woken: the failure is in steps 1-6, never 'broken'"),
                 client("InvalidCombination"),
                 xcount("S", "$nS"),
                 xcount("C", "$nC"),
                 xmem("S", "$tls.S", le(0, 0).replace(" ", "") + "aa" * 0xF8, comment="S's buffer untouched")]
        steps += list(extra_checks)
        t.append(T(id, comment, steps, setup=SU(events=events), result="invalid",
                   flags=["RequestRefused"] + list(flags), requires=requires,
                   source="kernel-semantics.md §8 #23; §4.3 step 6", scenario=scenario))

    req_refused("move-handles-request-refused",
                "C sends one move handle: InvalidCombination; C's handle stays valid; S is not woken and its buffer is untouched.",
                M(type=1, move=["$ev"]), [("ev", "C")], [xhandle("C", "$ev", True)],
                flags=["SunriseDivergence"])
    req_refused("move-handles-request-null-refused",
                "C's request has one move slot holding 0: the count alone makes it InvalidCombination.",
                M(type=1, move=[0]), [])
    req_refused("move-handles-request-pseudo-refused",
                "C's request moves 0xffff8001: InvalidCombination.",
                M(type=1, move=[CUR_PROCESS]), [])
    req_refused("move-handles-request-with-copy-refused",
                "C's request has a valid copy handle and a move handle: InvalidCombination (step 6 precedes step 8), so no copy is made in S.",
                M(type=1, copy=["$ev"], move=["$ev2"]), [("ev", "C"), ("ev2", "C")],
                [xhandle("C", "$ev", True), xhandle("C", "$ev2", True)],
                requires=["tls-buffer", "copy-handles", "move-handles"])
    t.append(T("move-handles-request-refused-then-valid-request",
               "After a refused move the session still works: C's next request is received normally.",
               [send(M(type=1, move=["$ev"])),
                poll(msg=ZERO),
                client("InvalidCombination"),
                send(M(type=2, raw=[5])),
                recv(),
                words([2, 1, 5], thread="S")],
               setup=SU(events=[("ev", "C")]), result="valid", flags=["RequestRefused"], requires=MH,
               source="kernel-semantics.md §4.3 step 6; §4.6", scenario="23"))
    groups.append(G("request-moves", "Move handles in requests are refused.", t, source="kernel-semantics.md §4.3 step 6"))

    # ------------------------------------------------------------------ replies
    t = []

    def rep(id, comment, msg, events, checks, status="Success", result="valid", flags=(), pre=(),
            requires=MH, setup=None, scenario=None, source="kernel-semantics.md §5.2 step 9", seen=None,
            reply_hex=None):
        steps = list(pre) + [count("C", "$nC"), count("S", "$nS"),
                             send(M(type=1)),
                             recv()]
        if reply_hex is None:
            steps.append(reply(msg))
        else:
            steps += reply_hex
        steps.append(client(status))
        if seen is not None:
            steps.append(xmsg(seen, thread="C"))
        steps += checks
        t.append(T(id, comment, steps, setup=setup or SU(events=events), result=result, flags=list(flags),
                   requires=requires, source=source, scenario=scenario))

    rep("move-handles-reply-event",
        "S moves its event to C: C gets a new handle, S's handle is gone (using it in a wait list gives InvalidHandle).",
        M(type=2, move=["$sev"]), [("sev", "S")],
        [xhandle("C", "$h1", True),
         xcount("C", "$nC+1"),
         xhandle("S", "$sev", False),
         xcount("S", "$nS-1"),
         rar(handles=["$sev"], result="InvalidHandle", comment="S waits on the moved handle: InvalidHandle")],
        seen=M(type=2, move=["$h1"]), source="kernel-semantics.md §8 #24; §5.2 step 9; §6.3 step 3", scenario="24")
    t.append(T("move-handles-round-trip",
               "C copies its event to S; S moves that handle back in its reply: C's new handle names C's event and S's table is back to its size before the request.",
               [count("C", "$nC"), count("S", "$nS"),
                send(M(type=1, copy=["$ev"])),
                recv(),
                xmsg(M(type=1, copy=["$h1"]), thread="S"),
                reply(M(type=2, move=["$h1"])),
                client("Success"),
                xmsg(M(type=2, move=["$h2"]), thread="C"),
                xhandle("C", "$h2", True, {"process": "C", "handle": "$ev"}),
                xhandle("S", "$h1", False),
                xcount("S", "$nS"),
                xcount("C", "$nC+1")],
               setup=SU(events=[("ev", "C")]), requires=["tls-buffer", "copy-handles", "move-handles"],
               source="kernel-semantics.md §8 #24; §4.3 step 8; §5.2 step 9", scenario="24"))
    rep("move-handles-reply-invalid-then-valid",
        "S's reply moves [stale, valid]: C gets InvalidHandle and gains nothing; S's valid handle is removed anyway; S's reply half succeeds.",
        M(type=2, move=["$sdead", "$sev"]), [("sdead", "S"), ("sev", "S")],
        [xcount("C", "$nC"), xhandle("S", "$sev", False), xcount("S", "$nS-1")],
        pre=[close("S", "$sdead")], status="InvalidHandle", result="invalid",
        flags=["ConsumedOnFailure", "ResultRouting", "SunriseDivergence"],
        source="kernel-semantics.md §8 #25; §5.2 step 9; §5.3; §7 row 29", scenario="25")
    t.append(T("move-handles-reply-failure-then-receive-next",
               "S replies to R1 moving [stale, valid] while R2 is queued, waiting on the session in the same call: C gets InvalidHandle, S's reply half succeeds and it receives R2 at once.",
               [close("S", "$sdead"),
                count("S", "$nS"),
                send(M(type=0xA1)),
                send(M(type=0xA2), thread="C2"),
                recv(),
                rar(handles=["$s.server"], reply_target="$s.server", msg=M(type=0xB1, move=["$sdead", "$sev"]),
                    result="Success", out_index=0, comment="reply fails for C; S goes on to receive R2"),
                words([0xA2, 0], thread="S"),
                client("InvalidHandle"),
                xhandle("S", "$sev", False),
                xcount("S", "$nS-1"),
                client("pending", thread="C2")],
               setup=SU(threads=[("C2", "C")], events=[("sdead", "S"), ("sev", "S")]), result="invalid",
               flags=["ConsumedOnFailure", "ResultRouting"], requires=["tls-buffer", "move-handles", "threads"],
               source="kernel-semantics.md §8 #25; §5.3 (the call continues with the receive half); §6.5",
               scenario="25"))
    rep("move-handles-reply-valid-then-invalid",
        "S's reply moves [valid, stale]: the first handle is moved then dropped by the rollback; C gets InvalidHandle with its table unchanged; S has lost the valid handle.",
        M(type=2, move=["$sev", "$sdead"]), [("sev", "S"), ("sdead", "S")],
        [xcount("C", "$nC"), xhandle("S", "$sev", False), xcount("S", "$nS-1")],
        pre=[close("S", "$sdead")], status="InvalidHandle", result="invalid",
        flags=["Rollback", "ConsumedOnFailure", "ResultRouting"],
        source="kernel-semantics.md §5.2 step 9; §5.4", scenario="25")
    rep("move-handles-reply-same-handle-twice",
        "S moves the same handle twice: the first slot moves it, the second no longer finds it (InvalidHandle); C's table is rolled back.",
        M(type=2, move=["$sev", "$sev"]), [("sev", "S")],
        [xcount("C", "$nC"), xhandle("S", "$sev", False), xcount("S", "$nS-1")],
        status="InvalidHandle", result="invalid", flags=["Rollback", "ConsumedOnFailure", "ResultRouting"],
        source="kernel-semantics.md §5.2 step 9; §5.4", scenario="25")
    rep("move-handles-reply-current-process",
        "S's reply moves 0xffff8001: pseudo-handles cannot be moved, InvalidHandle to C.",
        M(type=2, move=[CUR_PROCESS]), [],
        [xcount("C", "$nC"), xcount("S", "$nS")],
        status="InvalidHandle", result="invalid", flags=["ResultRouting"],
        source="kernel-semantics.md §8 #26; §5.2 step 9", scenario="26")
    rep("move-handles-reply-current-thread",
        "S's reply moves 0xffff8000: InvalidHandle to C.",
        M(type=2, move=[CUR_THREAD]), [],
        [xcount("C", "$nC"), xcount("S", "$nS")],
        status="InvalidHandle", result="invalid", flags=["ResultRouting"],
        source="kernel-semantics.md §8 #26; §5.2 step 9", scenario="26")
    rep("move-handles-reply-null-copy-and-move",
        "S replies with copy slot 0 and move slot 0: C sees both zeros, gains nothing, succeeds.",
        M(type=2, copy=[0], move=[0]), [],
        [xcount("C", "$nC"), xcount("S", "$nS"), words([2, W31, (1 << 1) | (1 << 5), 0, 0], thread="C")],
        seen=M(type=2, copy=[0], move=[0]), requires=["tls-buffer", "copy-handles", "move-handles"],
        source="kernel-semantics.md §8 #27; §5.2 step 9", scenario="27")
    rep("move-handles-reply-null-then-valid",
        "S moves [0, event]: C sees [0, new handle].",
        M(type=2, move=[0, "$sev"]), [("sev", "S")],
        [xhandle("C", "$h1", True), xcount("C", "$nC+1"), xhandle("S", "$sev", False)],
        seen=M(type=2, move=[0, "$h1"]), source="kernel-semantics.md §5.2 step 9", scenario="27")
    rep("move-handles-reply-two",
        "S moves two events: C gains two handles, S loses two.",
        M(type=2, move=["$sev", "$sev2"], raw=[3]), [("sev", "S"), ("sev2", "S")],
        [xhandle("C", "$h1", True), xhandle("C", "$h2", True), xcount("C", "$nC+2"), xcount("S", "$nS-2"),
         xhandle("S", "$sev", False), xhandle("S", "$sev2", False)],
        seen=M(type=2, move=["$h1", "$h2"], raw=[3]), source="kernel-semantics.md §5.2 step 9", scenario="24")
    rep("move-handles-reply-copy-and-move-same-object",
        "S copies and moves the same event: C gets two handles naming it; S's handle is gone.",
        M(type=2, copy=["$sev"], move=["$sev"]), [("sev", "S")],
        [xcount("C", "$nC+2"), xcount("S", "$nS-1"), xhandle("S", "$sev", False),
         xhandle("C", "$h1", True), xhandle("C", "$h2", True)],
        seen=M(type=2, copy=["$h1"], move=["$h2"]), requires=["tls-buffer", "copy-handles", "move-handles"],
        source="kernel-semantics.md §5.2 step 9 (copies before moves)", scenario="24")
    rep("move-handles-reply-with-pid-and-copy",
        "S's reply carries a PID, a copy and a move: C sees S's process ID and two new handles in slot order.",
        M(type=2, pid=0, copy=["$sev"], move=["$sev2"], raw=[4]), [("sev", "S"), ("sev2", "S")],
        [xcount("C", "$nC+2"), xcount("S", "$nS-1"), xhandle("S", "$sev", True), xhandle("S", "$sev2", False)],
        seen=M(type=2, pid="$pid.S", copy=["$h1"], move=["$h2"], raw=[4]),
        requires=["tls-buffer", "pid", "copy-handles", "move-handles"],
        source="kernel-semantics.md §2.4; §5.2 step 9", scenario="24")
    rep("move-handles-reply-interrupt-event",
        "S moves an interrupt event: InvalidHandle to C and, as the lookup failed, S keeps the handle.",
        M(type=2, move=["$sirq"]), [("sirq", "S", "interrupt_event")],
        [xcount("C", "$nC"), xhandle("S", "$sirq", True), xcount("S", "$nS")],
        status="InvalidHandle", result="invalid", flags=["ResultRouting"],
        requires=["tls-buffer", "move-handles", "interrupt-event"],
        source="kernel-semantics.md §5.2 step 9 ('not found ... nothing removed')", scenario="21")
    rep("move-handles-reply-bit30-set",
        "S moves its event handle with bit 30 added: InvalidHandle, and the real handle is not removed.",
        M(type=2, move=["$sev+0x40000000"]), [("sev", "S")],
        [xcount("C", "$nC"), xhandle("S", "$sev", True), xcount("S", "$nS")],
        status="InvalidHandle", result="invalid", flags=["ResultRouting"],
        source="kernel-semantics.md §5.2 step 9; §2.10", scenario="20")
    rep("move-handles-reply-after-failed-copy",
        "S's reply copies a stale handle then moves an event: InvalidHandle; the move is consumed anyway; C gains nothing.",
        M(type=2, copy=["$sdead"], move=["$sev"]), [("sdead", "S"), ("sev", "S")],
        [xcount("C", "$nC"), xhandle("S", "$sev", False), xcount("S", "$nS-1")],
        pre=[close("S", "$sdead")], status="InvalidHandle", result="invalid",
        flags=["ConsumedOnFailure", "ResultRouting", "SunriseDivergence"],
        requires=["tls-buffer", "copy-handles", "move-handles"],
        source="kernel-semantics.md §5.2 step 9; §7 row 29", scenario="25")
    rep("move-handles-reply-client-table-full",
        "C's table (capacity 1) is full; S moves an event: C gets OutOfHandles and the event is removed from S anyway.",
        M(type=2, move=["$sev"]), None,
        [xcount("C", 1), xhandle("S", "$sev", False), xcount("S", "$nS-1")],
        pre=[xcount("C", 1, comment="premise: C's table is full")],
        setup=SU(events=[("sev", "S")], capacity={"C": 1}),
        status="OutOfHandles", result="invalid", flags=["HandleLimit", "ConsumedOnFailure", "ResultRouting"],
        requires=["tls-buffer", "move-handles", "handle-limit"],
        source="kernel-semantics.md §5.2 step 9 ('whether or not the insert succeeded')", scenario="22")
    rep("move-handles-reply-message-too-large-consumes",
        "S replies from a user buffer with a move handle and 100 raw words to a TLS client: MessageTooLarge (step 4) and the move handle is removed from S anyway.",
        None, None,
        [xcount("C", "$nC"), xhandle("S", "$sev", False), xcount("S", "$nS-1")],
        reply_hex=[reply(M(type=2, move=["$sev"], raw=list(range(100))), buffer=ub(UB_S, 0x1000))],
        setup=SU(events=[("sev", "S")], memory=[mem("S", UB_S, 0x1000)]),
        status="MessageTooLarge", result="invalid", flags=["ConsumedOnFailure", "ResultRouting"],
        requires=["tls-buffer", "user-buffer", "move-handles"],
        source="kernel-semantics.md §5.2 step 4; §5.4 (failure in steps 1-7: moves removed)")
    t[-1]["steps"][3] = recv(buffer=ub(UB_S, 0x1000))
    rep("move-handles-reply-self-inconsistent-keeps",
        "S's reply header (special header, one move slot, RawCount 61: E = 65 words) does not fit its own TLS: InvalidCombination to C and, as the reply's own size check failed, nothing is removed from S.",
        None, [("sev", "S")],
        [xcount("C", "$nC"), xhandle("S", "$sev", True), xcount("S", "$nS")],
        reply_hex=[write(thread="S", msg=M(type=2, move=["$sev"]), comment="S writes a reply moving $sev"),
                   write(thread="S", hexs=le(2, 61 | W31), comment="then raises its RawCount to 61 (header words only)"),
                   rar(handles=(), reply_target="$s.server", result="TimedOut", out_index=None,
                       comment="S replies with its buffer as it stands")],
        status="InvalidCombination", result="invalid", flags=["ResultRouting"],
        source="kernel-semantics.md §5.2 step 1; §5.4 ('if SRC's own size check fails, nothing is removed')")
    rep("move-handles-reply-map-alias-consumes",
        "S's reply has a (size 0) A descriptor and a move handle: InvalidCombination (map-alias in a reply) and the move handle is removed from S anyway.",
        M(type=2, move=["$sev"], a=[{"address": 0, "size": 0, "mode": 0}]), [("sev", "S")],
        [xcount("C", "$nC"), xhandle("S", "$sev", False), xcount("S", "$nS-1")],
        status="InvalidCombination", result="invalid", flags=["ConsumedOnFailure", "ResultRouting"],
        requires=["tls-buffer", "move-handles", "map-alias"],
        source="kernel-semantics.md §5.2 step 5; §5.4 (failure in steps 1-7: moves removed)")
    rep("move-handles-reply-map-alias-exact-fit-consumes",
        "As the previous test with 57 raw words, so that S's reply (header, special header, one move slot, one A, raw data: 64 words) fills its TLS buffer exactly: it still fits its own buffer, so the move handle is removed from S.",
        M(type=2, move=["$sev"], a=[{"address": 0, "size": 0, "mode": 0}], raw=list(range(57))), [("sev", "S")],
        [xcount("C", "$nC"), xhandle("S", "$sev", False), xcount("S", "$nS-1")],
        status="InvalidCombination", result="invalid", flags=["ConsumedOnFailure", "ResultRouting"],
        requires=["tls-buffer", "move-handles", "map-alias"],
        source="kernel-semantics.md §5.2 steps 1, 5; §5.4 (failure in steps 1-7: moves removed unless SRC's own size check fails)")
    rep("move-handles-reply-client-session-handle",
        "S moves its client end of session t (served by T) to C: S's handle is gone, and C's new handle is that client end: a request C sends on it reaches T.",
        M(type=2, move=["$t.client"]), None,
        [xhandle("S", "$t.client", False),
         xcount("S", "$nS-1"),
         xcount("C", "$nC+1"),
         send(M(type=1, raw=[0x77]), session="$h1", comment="C sends on the handle it was given"),
         recv(thread="T", handles=["$t.server"], comment="T, the server of t, receives it"),
         words([1, 1, 0x77], thread="T"),
         reply(M(type=2), thread="T", target="$t.server"),
         client("Success")],
        setup=SU(procs=("C", "S", "T"), sessions=(("s", "S", "C"), ("t", "T", "S"))),
        seen=M(type=2, move=["$h1"]), source="kernel-semantics.md §5.2 step 9 (moves: any object but an InterruptEvent, no pseudo-handles)",
        scenario="24")
    rep("move-handles-reply-server-session-handle",
        "S moves its server end of session t (whose client is T) to C: S's handle is gone, and C's new handle is that server end: T's request on t is received by C.",
        M(type=2, move=["$t.server"]), None,
        [xhandle("S", "$t.server", False),
         xcount("S", "$nS-1"),
         xcount("C", "$nC+1"),
         send(M(type=1, raw=[0x55]), thread="T", session="$t.client", comment="T sends on t"),
         recv(thread="C", handles=["$h1"], comment="C, now holding t's server end, receives it"),
         words([1, 1, 0x55], thread="C"),
         reply(M(type=2), thread="C", target="$h1"),
         client("Success", thread="T")],
        setup=SU(procs=("C", "S", "T"), sessions=(("s", "S", "C"), ("t", "S", "T"))),
        seen=M(type=2, move=["$h1"]), source="kernel-semantics.md §5.2 step 9 (moves: any object but an InterruptEvent, no pseudo-handles)",
        scenario="24")
    groups.append(G("reply-moves", "Move handles in replies.", t, source="kernel-semantics.md §5.2 step 9, §5.4"))

    return FILE("move-handles",
                "Move handles: refused in requests; in replies moved into the client's table and removed from the server's, consumed even when the reply fails, pseudo-handles and interrupt events refused, rollback of the client's table.",
                ["kernel-semantics.md §4.3 step 6", "kernel-semantics.md §5.2 steps 1-9", "kernel-semantics.md §5.3",
                 "kernel-semantics.md §5.4", "kernel-semantics.md §8 #23-27"],
                notes, groups)
