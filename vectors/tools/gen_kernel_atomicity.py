#!/usr/bin/env python3
"""Builds vectors/kernel/atomicity.json: what a failed translation or a closed session
leaves behind, every failing step against every earlier (and later) effect of the
same message, and against another request in flight.

kernel-semantics.md §4.7 and §5.4 are tables: for a failure in a given step, which
effects of the message are undone and which are kept. The other files test a few rows
(map-alias-errors.json "rollback", pointer-errors.json "routing and rollback",
copy-handles.json, move-handles.json); this file tests the tables as a matrix, so that a
kernel which rolls back one kind of effect and forgets another, or which stops rolling
back once a later step has run, is caught and the report names both (SunriseOS does no
rollback at all, §7 rows 7, 8 and 29).

A request is translated in this order (§4.3 steps 8-10): special data (copy handles),
X descriptors, then A, B and W. Each test puts one failing item at one of these
places and, around it, the effects the tables name:

* a copy handle (`copy`): after a request fails, the handle copied into the server's
  table is removed again (§4.7 "server handle table"); the client's handle is kept;
* a valid A, B or W (`a`, `b`, `w`): every mapping made for the request is undone, the
  server has no IPC mapping left and the client's page has its permission back without
  the IPC lock (§4.7 "map-alias mappings", §4.8);
* items after the failing one were never translated and leave nothing behind.

A reply (§5.2 steps 5-10, §5.4) fails in step 5 (a map-alias descriptor in the reply)
or in steps 9-10 (a bad copy or move handle, an X with a bad source or no room in the
client's receive list). Around it: a copy handle (the server keeps it, the client's
table gains nothing), a move handle (consumed whatever happens: removed from the
server's table, and the client's table gains nothing), and the request's own A, B or W
(unmapped and restored whether the reply succeeds or not).

Two more groups: a session closed with a request in flight (§6.4: by the server, with
the request current or queued; by an async client before the reply, whose reply then
takes the closed path), and isolation: two requests current on two sessions of one
server, where one fails (each failing item above) or its session is closed, and the
other's mappings must stay until it is replied to.

Every request failure is run twice: with the server's receive list overrun (an
all-zero header: ReceiveListBroken, §4.6) and with the list at word 60 (not broken:
the server keeps waiting and its header words are restored, §4.7). Nothing §9 calls
unspecified is asserted: no buffer word after a failure other than the restored header
words, no handle value, no server alias address.

Every expectation is written from the two tables by hand; nothing is computed by
simulating a kernel.

Run: python3 vectors/tools/gen_kernel_atomicity.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pm_common import *  # noqa: E402,F401,F403

TOPIC = "atomicity"
S47 = "%s §4.7, §4.8" % KS
S54 = "%s §5.4" % KS
OUT_OF_RANGE_HANDLE = "0x3fffffff"  # table index 0x7fff: beyond any handle table (§2.10)
RQ = ["tls-buffer"]

# The client's pages: one page per map-alias descriptor, the same after the failing
# item, two pages per descriptor lent through partial pages only, a page lent with
# attribute 2, the client's receive-list entry for a reply's X, a read-only page, and a
# range as large as the server's alias region.
PAGE = {"a": CH + 0x1000, "b": CH + 0x2000, "w": CH + 0x3000}
LATER = {"a": CH + 0x4000, "b": CH + 0x5000, "w": CH + 0x6000}
ATTRIBUTE_2 = CH + 0x7000
C_ENTRY = CH + 0x8000
PARTIAL = {"a": CH + 0x9000, "b": CH + 0xB000, "w": CH + 0xD000}
READ_ONLY = CH + 0x10000
ALIAS = 0x40000  # the server's alias region: a descriptor this large cannot be placed
LARGE = CH + 0x100000
S_READ_ONLY = SH + 0x10000  # a read-only page of the server's, for its receive-list entry
NOT_BROKEN_AT = 60  # the server's receive-list index when the failure must not be broken
FILL = 0xC5


def setup(events=(), alias=False, capacity=None, threads=(), extra=(), second_client=False):
    """C and S (with T, a second client of S on session t, when `second_client`):
    the clients' heaps, a read-only page each, S's heap and a read-only page, and C's
    event `ev`. T's memory lies at the same addresses as C's (its own pages), so a
    failing item reads the same in either."""
    memory = [mem("C", CH, 0x10000, fill=FILL), mem("S", SH, 0x2000, fill=0xEE),
              mem("C", READ_ONLY, 0x1000, permission="r", fill=0x77),
              mem("S", S_READ_ONLY, 0x1000, permission="r", fill=0x66)]
    if alias:
        memory.append(mem("C", LARGE, ALIAS, fill=0x5A))
    procs, sessions = ("C", "S"), (("s", "S", "C"),)
    if second_client:
        memory += [mem("T", CH, 0x10000, fill=0xD7), mem("T", READ_ONLY, 0x1000, permission="r", fill=0x77)]
        if alias:
            memory.append(mem("T", LARGE, ALIAS, fill=0x5A))
        procs, sessions = procs + ("T",), sessions + (("t", "S", "T"),)
    return SU(procs=procs, threads=threads, memory=memory + list(extra),
              events=[("ev", "C")] + list(events), sessions=sessions, alias={"S": ALIAS} if alias else None,
              capacity=capacity)


def restored(kind, address):
    return c_page(address, comment="C's %s page has its permission back and no IPC lock" % kind.upper())


def untouched(kind, address):
    return [c_page(address + off, comment="C's %s %s page was never re-protected (a partial page, §4.4 step 4)"
                   % (kind.upper(), which))
            for off, which in ((0, "head"), (0x1000, "tail"))]


def partial(kind):
    """A descriptor over the second half of one page and the first half of the next:
    two partial pages, no fully covered one (§4.4 steps 4, 5)."""
    return Bd(PARTIAL[kind] + 0x800, 0x1000, 0)


# ---------------------------------------------------------------------------------------
# Requests (§4.7, §4.8)
# ---------------------------------------------------------------------------------------

class RequestFailure:
    """One failing item of a request: where it sits in translation order (0 special
    data, 1 X, 2 A, 3 B, 4 W), the step that fails, the client's result, and what the
    item adds to the message, the server's buffer and the set-up."""

    def __init__(self, name, place, step, result, text):
        self.name, self.place, self.step, self.result, self.text = name, place, step, result, text

    def alias(self):
        return self.name.endswith("out-of-space")

    def capacity(self):
        # S's table holds its session handle; room for exactly the earlier copy.
        return {"S": 2} if self.name == "copy-table-full" else None

    def add_to(self, copy, x, desc):
        n = self.name
        if n == "copy-invalid":
            copy.append(OUT_OF_RANGE_HANDLE)
        elif n == "copy-table-full":
            copy.append("$ev2")
        elif n == "x-source-unmapped":
            x.append(Xd(0, UNMAPPED, 0x10))
        elif n in ("x-no-room", "x-dest-read-only"):
            x.append(Xd(0, CH, 0x10))
        else:
            kind, what = n.split("-", 1)
            desc[kind].append({"unmapped": Bd(UNMAPPED, 0x1000, 0), "read-only": Bd(READ_ONLY, 0x1000, 0),
                               "attribute-2": Bd(ATTRIBUTE_2, 0x1000, 2),
                               "out-of-space": Bd(LARGE, ALIAS, 0)}[what])

    def server_buffer(self, broken_):
        """Mode 2 with one entry when an X must be placed (so that only its source or
        its destination fails), mode 0 otherwise; the list at word 2 (an all-zero
        header: overrun by any failure from step 8 on) or at word 60 (never reached)."""
        rlo = None if broken_ else NOT_BROKEN_AT
        if self.name == "x-source-unmapped":
            return M(rlc=2, rlo=rlo, c=[Cd(SH, 0x100)])
        if self.name == "x-dest-read-only":
            return M(rlc=2, rlo=rlo, c=[Cd(S_READ_ONLY, 0x100)])
        return M(rlo=rlo)

    def requires(self):
        extra = {"copy-table-full": ["handle-limit"]}.get(self.name, [])
        return extra + (["alias-region-size"] if self.alias() else [])


STEP8, STEP9, STEP10 = "§4.3 step 8", "§4.3 step 9", "§4.4 step 3"
# Where each effect's item sits in translation order (§4.3 steps 8-10).
EFFECT_PLACE = {"copy": 0, "a": 2, "b": 3, "w": 4, "a-partial": 2, "b-partial": 3, "w-partial": 4}
REQUEST_FAILURES = [
    RequestFailure("copy-invalid", 0, STEP8, "InvalidHandle", "a copy handle that names nothing"),
    RequestFailure("copy-table-full", 0, STEP8, "OutOfHandles", "a second copy handle, for which S's full table "
                   "has no room"),
    RequestFailure("x-source-unmapped", 1, STEP9, "InvalidCurrentMemory", "an X whose source is unmapped"),
    RequestFailure("x-dest-read-only", 1, STEP9, "InvalidCurrentMemory",
                   "an X whose destination, S's receive-list entry, is read-only"),
    RequestFailure("x-no-room", 1, "§4.3 step 9, §3.2", "OutOfResource",
                   "an X with no receive list to go to (S in mode 0)"),
] + [RequestFailure("%s-%s" % (k, what), EFFECT_PLACE[k], step, result, text % k.upper())
     for what, step, result, text in (
         ("unmapped", STEP10, "InvalidCurrentMemory", "a %s on unmapped memory"),
         ("read-only", STEP10, "InvalidCurrentMemory", "a %s on read-only memory"),
         ("attribute-2", "§4.4 step 1", "InvalidCombination", "a %s with attribute 2"),
         ("out-of-space", "§4.4 step 6", "OutOfAddressSpace", "a %s as large as S's alias region"))
     for k in ("a", "b", "w")
     if (k, what) not in (("a", "read-only"), ("b", "unmapped"), ("w", "unmapped"))]



def request_effect_sets(failure):
    """The effects around a failing item: each earlier kind alone (a copied handle; an
    A, B or W over a full page; one over partial pages only), all earlier full-page
    kinds together, and all of them with every kind after the failure."""
    earlier = [k for k in ("copy", "a", "b", "w") if EFFECT_PLACE[k] <= failure.place]
    partials = [k for k in ("a-partial", "b-partial", "w-partial") if EFFECT_PLACE[k] <= failure.place]
    later = [k for k in ("a", "b", "w") if EFFECT_PLACE[k] > failure.place]
    sets = [(k,) for k in earlier + partials]
    if len(earlier) > 1:
        sets.append(tuple(earlier))
    if later:
        sets.append(tuple(earlier) + tuple("later-" + k for k in later))
    return sets


def request_message(failure, effects):
    """The request: the effects' items and the failing item, each at its place."""
    copy, x, desc = [], [], {"a": [], "b": [], "w": []}
    if "copy" in effects:
        copy.append("$ev")
    for k in ("a", "b", "w"):
        if k in effects:
            desc[k].append(Bd(PAGE[k], 0x1000, 0))
        if k + "-partial" in effects:
            desc[k].append(partial(k))
    failure.add_to(copy, x, desc)
    for k in ("a", "b", "w"):
        if "later-" + k in effects:
            desc[k].append(Bd(LATER[k], 0x1000, 0))
    return M(type=4, copy=copy, x=x, **desc)


def header_word1(msg):
    return msg.get("recv_list_count", 0) << 10 | msg.get("recv_list_offset", 0) << 20


def request_checks(failure, effects):
    checks = [no_ipc("S", comment="no server mapping is left (§4.7)")]
    if "copy" in effects:
        checks += [xcount("S", "$n", comment="the handle copied into S's table is removed again (§4.7)"),
                   xhandle("C", "$ev", True, comment="C's handle is untouched: a copy removes nothing")]
    for k in ("a", "b", "w"):
        if k in effects:
            checks.append(restored(k, PAGE[k]))
        if k + "-partial" in effects:
            checks += untouched(k, PARTIAL[k])
        if "later-" + k in effects:
            checks.append(c_page(LATER[k], comment="the %s after the failing item was never lent" % k.upper()))
    if "b" in effects:
        checks.append(access("C", PAGE["b"], 0x1000, True, True, comment="C can write its B page again"))
    if failure.name.endswith("read-only") and not failure.name.startswith("x"):
        checks.append(c_page(READ_ONLY, "r", comment="the read-only page under the failing %s keeps its "
                             "permission and gets no IPC lock" % failure.name[0].upper()))
    if failure.alias():
        checks.append(c_page(LARGE, comment="the large range was never lent"))
    return checks


EFFECT_TEXT = {"copy": "a valid copy handle", "a": "a valid A", "b": "a valid B", "w": "a valid W",
               "a-partial": "a valid A over two partial pages", "b-partial": "a valid B over two partial pages",
               "w-partial": "a valid W over two partial pages"}


def describe(effects):
    before = [EFFECT_TEXT[e] for e in effects if not e.startswith("later-")]
    after = [e[len("later-"):].upper() for e in effects if e.startswith("later-")]
    text = " and ".join(before)
    if after:
        text += ", with a valid %s after the failing item" % " and ".join(after)
    return text


def request_test(failure, effects, broken_):
    s_buf = failure.server_buffer(broken_)
    steps = []
    if failure.name == "copy-table-full":
        steps.append(xcount("S", 1, comment="premise: S's table (capacity 2) holds its session handle only"))
    if "copy" in effects:
        steps.append(count("S", "$n", comment="S's handle count before the request"))
    request = request_message(failure, effects)
    steps += [send(request, comment="C sends %s, then %s" % (describe(effects), failure.text))]
    steps.append(broken(msg=s_buf) if broken_ else poll(msg=s_buf, comment=(
        "S's list lies beyond the failing item: not broken, S is not told and its wait times out (§4.6)")))
    steps.append(client(failure.result, comment="C gets the failure of %s" % failure.step))
    steps.append(xmsg(request, thread="C", comment="C's buffer is untouched: it still holds the request (§4.7)"))
    steps += request_checks(failure, effects)
    if broken_:
        steps.append(poll(comment="S keeps waiting: nothing else is queued"))
    else:
        steps.append(words([0, header_word1(s_buf)], comment="S's header words are restored (§4.7)"))
    tid = "%s-request-%s-after-%s-%s" % (TOPIC, failure.name, "-".join(effects).replace("later-", "then-"),
                                         "broken" if broken_ else "not-broken")
    comment = "Request: %s, then %s (%s): %s to C; %s; every earlier effect undone" % (
        describe(effects), failure.text, failure.step, failure.result,
        "S gets ReceiveListBroken" if broken_ else "S's list is not reached: S keeps waiting, header restored")
    flags = ["Request", "Broken" if broken_ else "NotBroken"]
    if any(e.startswith("later-") for e in effects):
        flags.append("LaterItems")
    if any(e.endswith("-partial") for e in effects):
        flags.append("PartialPages")
    events = [("ev2", "C")] if failure.name == "copy-table-full" else []
    return T(tid, comment, steps, setup(events, failure.alias(), failure.capacity()),
             RQ + failure.requires() + ([] if broken_ else ["receive-list-offset"]), result="invalid",
             flags=flags, source="%s %s; %s; %s §4.6" % (KS, failure.step, S47, KS))


def request_group():
    tests = [request_test(failure, effects, broken_)
             for failure in REQUEST_FAILURES
             for effects in request_effect_sets(failure)
             for broken_ in (True, False)]
    return G("requests", "Each failing item of a request (§4.3 steps 8-10, §4.4) against each earlier effect (a "
             "copied handle, an A, B or W mapping over a full page or over partial pages only), all of them "
             "together, and items after the failure; with the server's receive list overrun and not.",
             tests, source=S47)


# ---------------------------------------------------------------------------------------
# Replies (§5.4)
# ---------------------------------------------------------------------------------------

# (name, the step of §5.2, the client's result, the §5.4 column, what it is).
REPLY_FAILURES = [
    ("reply-too-large", "step 1", "InvalidCombination", "1-7",
     "a reply whose header claims 1023 raw words, more than S's buffer holds"),
    ("client-too-large", "step 2", "InvalidCombination", "1-7",
     "C's request header rewritten meanwhile (as another of C's threads, or a debugger, could) to claim 1023 "
     "raw words, more than C's buffer holds"),
    ("client-offset-invalid", "step 3", "InvalidCombination", "1-7",
     "C's request header rewritten meanwhile to a receive-list offset of 1, below its raw end"),
    ("map-alias", "step 5", "InvalidCombination", "1-7", "an A in the reply"),
    ("copy-invalid", "step 9", "InvalidHandle", "8-13", "a copy handle that names nothing"),
    ("client-table-full", "step 9", "OutOfHandles", "8-13", "a copy handle for which C's full table has no room"),
    ("move-invalid", "step 9", "InvalidHandle", "8-13", "a move handle that names nothing"),
    ("x-source-unmapped", "step 10", "InvalidCurrentMemory", "8-13", "an X whose source in S is unmapped"),
    ("x-dest-read-only", "step 10", "InvalidCurrentMemory", "8-13",
     "an X whose destination, C's receive-list entry, is read-only"),
    ("x-no-room", "step 10", "OutOfResource", "8-13", "an X with no receive list in C's request (mode 0)"),
]
REPLY_EFFECTS = [("copy",), ("move",), ("a",), ("b",), ("w",), ("b-partial",), ("w-partial",),
                 ("copy", "move", "a", "b", "w")]
S_WRITES = ((0, rep(0x11, 0x10)), (0xFF0, rep(0x22, 0x10)))  # S's writes: head and tail of a partial B/W


def reply_messages(failure, effects):
    """(C's request, S's reply)."""
    desc = {k: [Bd(PAGE[k], 0x1000, 0)] if k in effects else [] for k in ("a", "b", "w")}
    for k in ("b", "w"):
        if k + "-partial" in effects:
            desc[k].append(partial(k))
    entry = {"x-no-room": None, "x-dest-read-only": READ_ONLY}.get(failure, C_ENTRY)
    c_list = {"rlc": 2, "c": [Cd(entry, 0x100)]} if entry else {}
    request = M(type=4, **desc, **c_list)
    copy = ["$sev"] if "copy" in effects else []
    move = ["$smv"] if "move" in effects else []
    x, a = [], []
    if failure == "copy-invalid":
        copy.append(OUT_OF_RANGE_HANDLE)
    elif failure == "client-table-full":
        copy.append("$sfull")
    elif failure == "move-invalid":
        move.append(OUT_OF_RANGE_HANDLE)
    elif failure == "x-source-unmapped":
        x.append(Xd(0, UNMAPPED, 0x10))
    elif failure in ("x-no-room", "x-dest-read-only"):
        x.append(Xd(0, SH, 0x10))
    else:
        a.append(Bd(SH, 0x1000, 0))
    return request, M(copy=copy, move=move, x=x, a=a)


def reply_view(request):
    """S's view of C's request (server addresses bound at first sight)."""
    view = {k: [Bd("$%s%d" % (k, i), d["size"], 0) for i, d in enumerate(request[k])] for k in ("a", "b", "w")}
    return P(type=4, rlc=request["recv_list_count"], **view)


def partial_symbol(request, kind):
    """The symbol S's view binds to the partial descriptor of `kind` (the last one)."""
    return "$%s%d" % (kind, len(request[kind]) - 1)


def reply_checks(failure, column, effects, request):
    checks = [xcount("C", "$nC", comment="C's table gains nothing: handles inserted for the reply are "
                     "removed again (§5.4)")]
    if "copy" in effects:
        checks.append(xhandle("S", "$sev", True, comment="S's copied handle is untouched (§5.4)"))
    if "move" in effects and failure == "reply-too-large":
        checks.append(xhandle("S", "$smv", True, comment="S's move handle stays: S's own message failed its "
                              "size check, so nothing is removed (§5.4)"))
    elif "move" in effects:
        checks.append(xhandle("S", "$smv", False, comment="S's moved handle is consumed whatever happens "
                              "(§5.4)"))
    checks.append(no_ipc("S", comment="the request's mappings are gone from S (§5.4)"))
    for k in ("a", "b", "w"):
        if k in effects:
            checks.append(restored(k, PAGE[k]))
        if k + "-partial" in effects:
            base = PARTIAL[k] + 0x800
            for off, data in S_WRITES:
                if column == "8-13":
                    checks.append(xmem("C", base + off, data, comment="S's write was copied back to C's partial "
                                       "page before the failure (§5.2 step 7 precedes it)"))
                else:
                    checks.append(xmem("C", base + off, rep(FILL, 0x10), comment="not copied back: the failure "
                                       "(§5.2 step 5) precedes the copy-back of step 7"))
    return checks


REQUEST_HOLDS = {"a": "holding an A", "b": "holding a B", "w": "holding a W",
                 "a-partial": "holding an A over two partial pages", "b-partial": "holding a B over two partial pages", "w-partial": "holding a W over two partial pages"}
REPLY_HOLDS = {"copy": "a valid copy handle", "move": "a valid move handle"}


def describe_reply(effects):
    names = {"copy": "a valid copy handle", "move": "a valid move handle",
             "a": "C's request holding an A", "b": "C's request holding a B", "w": "C's request holding a W",
             "b-partial": "C's request holding a B over two partial pages, which S wrote into",
             "w-partial": "C's request holding a W over two partial pages, which S wrote into"}
    return " and ".join(names[e] for e in effects)


RAW_MAX = 1023  # the largest RawCount: 2 + 1023 words exceed any buffer (TLS 0x100, a page 0x1000)
HAS_SPECIAL = 1 << 31


def replying(failure, request, response, client_thread, target, comment):
    """The steps that make S's reply fail with `failure`: for steps 2 and 3, a debug
    write of the client's header word 1 first; for step 1, S's buffer written as the
    reply and its header word 1 then raised to RawCount 1023, and the reply sent from
    the buffer as it stands; otherwise the reply as message JSON."""
    word1 = header_word1(request)
    if failure == "client-too-large":
        return [write(client_thread, "$buf.%s+0x4" % client_thread, le(word1 | RAW_MAX),
                      comment="C's header word 1 rewritten: RawCount 1023"),
                reply(response, target=target, comment=comment)]
    if failure == "client-offset-invalid":
        return [write(client_thread, "$buf.%s+0x4" % client_thread, le(word1 | 1 << 20),
                      comment="C's header word 1 rewritten: receive-list offset 1"),
                reply(response, target=target, comment=comment)]
    if failure == "reply-too-large":
        special = HAS_SPECIAL if response["copy_handles"] or response["move_handles"] else 0
        return [write_buffer("S", response, comment="S writes its reply"),
                write("S", "$buf.S+0x4", le(special | RAW_MAX),
                      comment="then raises its RawCount to 1023 (header word 1 only)"),
                rar(handles=(), reply_target=target, result="TimedOut", out_index=None, comment=comment)]
    return [reply(response, target=target, comment=comment)]


def write_buffer(thread, msg, comment):
    return {"op": "write", "comment": comment, "thread": thread, "buffer": "tls", "message": msg}


def reply_test(failure, step, result, column, text, effects):
    request, response = reply_messages(failure, effects)
    writes = []
    for k in ("b", "w"):
        if k + "-partial" in effects:
            sym = partial_symbol(request, k)
            writes += [write("S", "%s+0x%x" % (sym, off) if off else sym, data,
                             comment="S writes into its %s's %s partial page" % (k.upper(), "head" if not off
                                                                                 else "tail"))
                       for off, data in S_WRITES]
    steps = []
    capacity = None
    if failure == "client-table-full":
        capacity = {"C": 3 if "copy" in effects else 2}
        steps.append(xcount("C", 2, comment="premise: C holds its session and one event; its table (capacity "
                            "%d) has room for %s" % (capacity["C"], "the one valid copy" if "copy" in effects
                                                     else "nothing")))
    steps += [count("C", "$nC", comment="C's handle count before the reply"),
              send(request, comment="C sends its request%s" % "".join(
                  ", " + REQUEST_HOLDS[e] for e in effects if e in REQUEST_HOLDS)),
              recv(ZERO), xmsg(reply_view(request))] + writes
    steps += replying(failure, request, response, "C", "$s.server", "S replies with %s; its reply half "
                      "succeeds (§5.3)" % " and ".join([REPLY_HOLDS[e] for e in effects if e in REPLY_HOLDS]
                                                       + [text]))
    steps.append(client(result, comment="C gets the failure of §5.2 %s" % step))
    if column == "1-7" and not failure.startswith("client-"):
        steps.append(xmsg(request, thread="C", comment="C's buffer is untouched: it still holds its request "
                          "(§5.4, failure in steps 1-7)"))
    steps += reply_checks(failure, column, effects, request)
    events = [("sev", "S"), ("smv", "S")] + ([("sfull", "S")] if failure == "client-table-full" else [])
    tid = "%s-reply-%s-after-%s" % (TOPIC, failure, "-".join(effects))
    comment = "Reply: %s, then %s (§5.2 %s): %s to C, success to S; §5.4 column 'steps %s'" % (
        describe_reply(effects), text, step, result, column)
    flags = ["Reply"] + (["PartialPages"] if any(e.endswith("-partial") for e in effects) else [])
    requires = RQ + (["handle-limit"] if capacity else [])
    return T(tid, comment, steps, setup(events, capacity=capacity), requires, result="invalid",
             flags=flags, source="%s §5.2 %s; %s; %s §5.3" % (KS, step, S54, KS))


def reply_group():
    tests = [reply_test(f, step, result, column, text, effects)
             for f, step, result, column, text in REPLY_FAILURES for effects in REPLY_EFFECTS]
    return G("replies", "Each failing item of a reply (§5.2 steps 1-3, 5, 9, 10) against each effect §5.4 names: "
             "a copied handle, a moved handle, the request's A, B or W mapping, a B or W whose partial pages "
             "the server wrote (copied back only when the failure follows step 7), and all of them together.",
             tests, source=S54)


# ---------------------------------------------------------------------------------------
# Session closure (§6.4)
# ---------------------------------------------------------------------------------------

CLOSE_EFFECTS = [("a",), ("b",), ("w",), ("a-partial",), ("b-partial",), ("w-partial",), ("a", "b", "w")]
ASYNC_EFFECTS = [("a",), ("b",), ("w",), ("b-partial",), ("a", "b", "w")]
USER_BUFFER = CH + 0x20000  # the async client's message buffer


def holding(effects, pages=None):
    """A request holding the effects' descriptors (`pages`: where the full-page ones lie)."""
    pages = pages or PAGE
    desc = {k: [Bd(pages[k], 0x1000, 0)] if k in effects else [] for k in ("a", "b", "w")}
    for k in ("a", "b", "w"):
        if k + "-partial" in effects:
            desc[k].append(partial(k))
    return M(type=4, **desc)


def undone(effects, pages=None, lent=True):
    """C's pages after the request's mappings are undone (or, `lent` false, never made)."""
    pages = pages or PAGE
    checks = [no_ipc("S", comment="no server mapping of the request is left (§6.4)")]
    for k in ("a", "b", "w"):
        if k in effects:
            checks.append(restored(k, pages[k]) if lent else c_page(
                pages[k], comment="C's %s page was never lent: a queued request has no mappings" % k.upper()))
        if k + "-partial" in effects:
            checks += untouched(k, PARTIAL[k])
    return checks


def names(effects):
    return "-".join(effects)


def server_close_current(effects):
    request = holding(effects)
    steps = [send(request, comment="C sends its request, " + ", ".join(REQUEST_HOLDS[e] for e in effects)),
             recv(ZERO), xmsg(reply_view(request)),
             close("S", "$s.server", comment="S closes its session handle with the request current"),
             client("SessionClosed", comment="C is woken with SessionClosed (§6.4)")] + undone(effects)
    return T("%s-close-server-current-%s" % (TOPIC, names(effects)),
             "S closes its end while C's request (%s) is current: C gets SessionClosed, the request's "
             "mappings are undone (§6.4; SunriseOS leaves them, §7 row 11)" % ", ".join(
                 REQUEST_HOLDS[e] for e in effects),
             steps, setup(), RQ + ["session-close"], result="invalid",
             flags=["Closure"] + (["PartialPages"] if any(e.endswith("-partial") for e in effects) else []),
             source="%s §6.4 (server end closed with queued or current requests); %s §7 row 11" % (KS, KS))


def server_close_queued():
    effects = ("a", "b", "w")
    steps = [send(holding(effects), comment="C sends a request holding an A, a B and a W; S never receives it"),
             close("S", "$s.server", comment="S closes its session handle with the request queued"),
             client("SessionClosed", comment="C is woken with SessionClosed (§6.4)")] + undone(effects, lent=False)
    return T("%s-close-server-queued-a-b-w" % TOPIC,
             "S closes its end while C's request (an A, a B and a W) is still queued: C gets SessionClosed; "
             "nothing was ever lent (mappings are made when a request is received, §4.3 step 10)",
             steps, setup(), RQ + ["session-close"], result="invalid", flags=["Closure"],
             source="%s §6.4; §4.3 step 10" % KS)


def server_close_current_and_queued():
    effects = ("a", "b", "w")
    first, second = holding(effects), holding(effects, LATER)
    steps = [send(first, comment="C's request (an A, a B and a W) is received first"),
             send(second, thread="C2", comment="C2's request (an A, a B and a W on other pages) is queued"),
             recv(ZERO), xmsg(reply_view(first)),
             close("S", "$s.server", comment="S closes its session handle"),
             client("SessionClosed", comment="the current request's client is woken with SessionClosed"),
             client("SessionClosed", thread="C2", comment="so is the queued one's (§6.4)")]
    steps += undone(effects) + undone(effects, LATER, lent=False)[1:]
    su = setup(threads=[("C2", "C")])
    return T("%s-close-server-current-and-queued-a-b-w" % TOPIC,
             "S closes its end with one request current and one queued, each holding an A, a B and a W: both "
             "clients get SessionClosed, the current request's mappings are undone, the queued one never had any",
             steps, su, RQ + ["session-close", "threads"], result="invalid", flags=["Closure"],
             source="%s §6.4 (the current one first and then the queue in order)" % KS)


def reply_after_client_closed(effects):
    request = holding(effects)
    steps = [send_async(request, ub(USER_BUFFER, 0x1000),
                        comment="C sends asynchronously, " + ", ".join(REQUEST_HOLDS[e] for e in effects)),
             recv(ZERO), xmsg(reply_view(request)),
             close("C", "$s.client", comment="C closes its end with the request current"),
             rar(handles=[], reply_target="$s.server", msg=M(type=2), result="SessionClosed", out_index=-1,
                 comment="S's reply takes the closed path: SessionClosed with out_index -1 (§6.4)")]
    steps += undone(effects)
    su = setup(extra=[mem("C", USER_BUFFER, 0x1000)])
    return T("%s-close-client-then-reply-%s" % (TOPIC, names(effects)),
             "C (async, %s) closes its end after S received the request; S's reply returns SessionClosed with "
             "out_index -1 and the request's mappings are undone (§6.4)" % ", ".join(
                 REQUEST_HOLDS[e] for e in effects),
             steps, su, ["user-buffer", "async", "session-close"], result="invalid",
             flags=["Closure", "Async"] + (["PartialPages"] if any(e.endswith("-partial") for e in effects) else []),
             source="%s §6.4 (server replies after the client closed)" % KS)


def closure_group():
    tests = [server_close_current(e) for e in CLOSE_EFFECTS]
    tests += [server_close_queued(), server_close_current_and_queued()]
    tests += [reply_after_client_closed(e) for e in ASYNC_EFFECTS]
    return G("closure", "A session closed with a request in flight (§6.4): the request's mappings are undone, "
             "whichever end closed and whatever the request held.", tests, source="%s §6.4" % KS)


# ---------------------------------------------------------------------------------------
# Isolation: what is undone is the failing request's, no other's (§4.7, §5.4, §6.4)
# ---------------------------------------------------------------------------------------

def still_lent():
    """S's mappings of C's request (an A, a B and a W) and C's pages, as lent."""
    return [mapping("S", "$a0", state="Ipc", permission="r", comment="S's mapping of C's A is still there"),
            mapping("S", "$b0", state="Ipc", permission="rw", comment="S's mapping of C's B is still there"),
            mapping("S", "$w0", state="Ipc", permission="rw", comment="S's mapping of C's W is still there"),
            mapping("C", PAGE["a"], state="Normal", permission="r", attributes=IPCLOCKED,
                    comment="C's A page is still lent"),
            mapping("C", PAGE["b"], state="Normal", permission="none", attributes=IPCLOCKED,
                    comment="C's B page is still lent"),
            mapping("C", PAGE["w"], state="Normal", permission="none", attributes=IPCLOCKED,
                    comment="C's W page is still lent")]


def c_current():
    """C's request (an A, a B and a W) received by S on session s, and left current."""
    request = holding(("a", "b", "w"))
    return [send(request, comment="C sends a request holding an A, a B and a W on session s"),
            recv(ZERO, comment="S receives C's request, and keeps it current"), xmsg(reply_view(request))]


def c_finishes():
    return ([reply(target="$s.server", comment="S replies to C at last"),
             client("Success", comment="C's request completes normally")]
            + undone(("a", "b", "w")))


def isolated_request(failure):
    steps = c_current()
    if failure.name == "copy-table-full":
        steps.append(xcount("S", 2, comment="premise: S's table (capacity 2) holds its two session handles"))
    steps += [send(request_message(failure, ()), thread="T", session="$t.client",
                   comment="T sends, on session t, %s" % failure.text),
              broken(msg=failure.server_buffer(True), handles=["$t.server"],
                     comment="S's receive of T's request fails: ReceiveListBroken (§4.6)"),
              client(failure.result, thread="T", comment="T gets the failure of %s" % failure.step)]
    steps += still_lent() + c_finishes()
    capacity = {"S": 2} if failure.name == "copy-table-full" else None
    events = [("ev2", "T")] if failure.name == "copy-table-full" else []
    return T("%s-isolation-request-%s" % (TOPIC, failure.name),
             "S holds C's request (an A, a B and a W) current on session s when T's request on session t fails "
             "with %s (%s): the rollback undoes T's request only; C's mappings stay until S replies to C"
             % (failure.text, failure.result),
             steps, setup(events, failure.alias(), capacity, second_client=True), RQ + failure.requires(), result="invalid",
             flags=["Isolation"], source="%s §4.7 ('all mappings made for this request'); %s §4.3 %s"
             % (KS, KS, failure.step) if failure.step.startswith("step") else
             "%s §4.7 ('all mappings made for this request'); %s %s" % (KS, KS, failure.step))


def isolated_reply(failure, step, result, column, text):
    request, response = reply_messages(failure, ())
    steps = c_current()
    capacity = {"T": 1} if failure == "client-table-full" else None
    if capacity:
        steps.append(xcount("T", 1, comment="premise: T's table (capacity 1) holds its session handle"))
    steps += [send(request, thread="T", session="$t.client", comment="T sends its request on session t"),
              recv(ZERO, handles=["$t.server"], comment="S receives T's request too: two requests are current"),
              ] + replying(failure, request, response, "T", "$t.server",
                           "S replies to T with %s; its reply half succeeds" % text) + [
              client(result, thread="T", comment="T gets the failure of §5.2 %s" % step)]
    steps += still_lent() + c_finishes()
    events = [("sfull", "S")] if failure == "client-table-full" else []
    return T("%s-isolation-reply-%s" % (TOPIC, failure),
             "S holds C's request (an A, a B and a W) current on session s when its reply to T on session t "
             "fails with %s (%s): only T's request is cleaned up; C's mappings stay until S replies to C"
             % (text, result),
             steps, setup(events, capacity=capacity, second_client=True), RQ + (["handle-limit"] if capacity else []),
             result="invalid", flags=["Isolation"],
             source="%s §5.4 (the request's mappings); %s §5.2 %s" % (KS, KS, step))


def isolated_close():
    steps = c_current() + [
        send(M(type=4, a=[Bd(PAGE["a"], 0x1000, 0)]), thread="T", session="$t.client",
             comment="T sends, on session t, a request holding an A (its own page)"),
        recv(ZERO, handles=["$t.server"], comment="S receives T's request too: two requests are current"),
        xmsg(P(type=4, a=[Bd("$ta", 0x1000, 0)], rlc=0)),
        close("S", "$t.server", comment="S closes session t"),
        client("SessionClosed", thread="T", comment="T is woken with SessionClosed (§6.4)"),
        c_page(PAGE["a"], process="T", comment="T's page has its permission back and no IPC lock")]
    steps += still_lent() + c_finishes()
    return T("%s-isolation-close" % TOPIC,
             "S holds C's request (an A, a B and a W) current on session s and T's (an A) on session t, then "
             "closes t: T's request is undone and T gets SessionClosed; C's mappings stay until S replies to C",
             steps, setup(second_client=True), RQ + ["session-close"], result="invalid", flags=["Isolation", "Closure"],
             source="%s §6.4 (the closed session's requests)" % KS)


def isolation_group():
    tests = [isolated_request(f) for f in REQUEST_FAILURES]
    tests += [isolated_reply(*f) for f in REPLY_FAILURES]
    tests.append(isolated_close())
    return G("isolation", "Two requests current on two sessions of one server: a failure of one (each failing item of "
             "a request, of a reply, a closure) undoes that request's effects and leaves the other's mappings "
             "alone.", tests, source="%s §4.7, §5.4, §6.4" % KS)


NOTES = {
    "Request": "A request fails during translation: the client gets the error (§4.6) and every effect of the "
               "request is undone (§4.7, §4.8).",
    "Broken": "The server's receive list (an all-zero header: index 2) was overrun: ReceiveListBroken 0x20401 "
              "(§4.6).",
    "NotBroken": "The server's receive list lies at word 60, beyond every item: the server is not told, its "
                 "wait times out, and its header words are restored (§4.6, §4.7).",
    "LaterItems": "Items after the failing one were never translated: their pages were never lent.",
    "PartialPages": "A descriptor over two partial pages and no full one: the server gets fresh pages, the "
                    "client's pages are never re-protected (§4.4 steps 4, 5); a B or W's partial pages are "
                    "copied back at step 7 of a reply (§5.2).",
    "Closure": "A session end is closed with a request in flight: its client is woken with SessionClosed, or "
               "the server's reply takes the closed path, and the request's mappings are undone (§6.4).",
    "Isolation": "Two requests are current on two sessions of one server; only the failing one's effects are "
                 "undone (§4.7 'all mappings made for this request', §5.4, §6.4).",
    "Async": "The client sent with SendAsyncRequestWithUserBuffer (§6.6).",
    "Reply": "A reply fails during translation: the client gets the error, the server's reply half succeeds "
             "(§5.3), and §5.4 says what is left.",
}


def main():
    groups = [request_group(), reply_group(), closure_group(), isolation_group()]
    f = FILE(TOPIC,
             "What a failed translation leaves behind (kernel-semantics.md §4.7, §4.8, §5.4), as a matrix: each "
             "failing item of a request or a reply against each effect the tables name, so that a kernel "
             "that undoes one kind of effect and not another is caught; and what a session closed with a "
             "request in flight leaves behind (§6.4).",
             [S47, "%s §4.3 steps 8-10" % KS, "%s §4.6" % KS, "%s §5.2 steps 5, 9, 10" % KS, "%s §5.3" % KS,
              S54, "%s §6.4" % KS],
             NOTES, groups)
    return emit("atomicity.json", f)


if __name__ == "__main__":
    print("total", main())
