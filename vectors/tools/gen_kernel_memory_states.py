#!/usr/bin/env python3
"""Builds vectors/kernel/memory-states.json: the memory-state table, cell by cell.

kernel-semantics.md §4.4 gives, for every memory state, the four flags the IPC paths
read: FlagCanUseIpc, FlagCanUseNonSecureIpc and FlagCanUseNonDeviceIpc (which
map-alias attribute may lend the memory, §4.4 step 3) and FlagLinearMapped (whether
X data may be read from it in a request, §4.3 step 9, or written into it in a reply,
§5.2 step 10). The other vector files test a few rows (Normal, Shared, the IPC
states, ThreadLocal); this file tests every cell of the table, one test per cell, so
that a kernel whose table is wrong in a single row is caught and the report names the
state and the column.

Every expectation is read off the table by hand: the TABLE below is the spec's table
written out (state -> the columns that say yes), not derived from any kernel. Cells
already tested elsewhere are not repeated (COVERED_ELSEWHERE names the test).

Free is not a row here: memory in state Free is unmapped memory, which the
`*-unmapped` vectors test.

Run: python3 vectors/tools/gen_kernel_memory_states.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pm_common import *  # noqa: E402,F401,F403

S44 = "%s §4.4" % KS
SRC = "%s §4.3 step 9" % KS
DST = "%s §5.2 step 10" % KS

# kernel-semantics.md §4.4, "Which memory states carry the IPC flags": for each state,
# the columns that say yes. IPC = CanUseIpc (attribute 0), NSI = CanUseNonSecureIpc
# (attribute 1), NDI = CanUseNonDeviceIpc (attribute 3), LIN = LinearMapped (X).
ALL4 = ("IPC", "NSI", "NDI", "LIN")
TABLE = {
    "Code": ALL4, "CodeData": ALL4, "Normal": ALL4, "AliasCode": ALL4,
    "AliasCodeData": ALL4, "Ipc": ALL4, "Stack": ALL4, "Transfered": ALL4,
    "SharedTransfered": ("NSI", "NDI", "LIN"), "SharedCode": ("NSI", "NDI", "LIN"),
    "NonSecureIpc": ("NSI", "NDI", "LIN"), "Insecure": ("NSI", "NDI", "LIN"),
    "NonDeviceIpc": ("NDI", "LIN"),
    "Shared": ("LIN",), "ThreadLocal": ("LIN",), "GeneratedCode": ("LIN",),
    "CodeOut": ("LIN",),
    "Io": (), "Static": (), "Inaccessible": (), "Kernel": (), "Coverage": (),
}

# The flag each map-alias attribute needs (§4.4 step 3) and the state the server's
# mapping gets (§4.4 step 1).
ATTRIBUTE_FLAG = {0: "IPC", 1: "NSI", 3: "NDI"}
SERVER_STATE = {0: "Ipc", 1: "NonSecureIpc", 3: "NonDeviceIpc"}

# States a process is not given by its own memory calls on every kernel (they are
# the kernel's, a driver's or a debugger's, or newer than some kernels): a region in
# one of them needs `memory-states` (vectors/README.md "Capabilities"; the runner
# derives it from the set-up, conformance/src/vector/needs.rs).
SYSTEM_STATES = {"Io", "Static", "Inaccessible", "Kernel", "SharedCode", "GeneratedCode",
                 "CodeOut", "Coverage", "Insecure"}

# Cells another file already tests, with the test that does.
COVERED_ELSEWHERE = {
    ("a", "Normal", 0): "map-alias-state-a-attr0",
    ("a", "Normal", 1): "map-alias-state-a-attr1",
    ("a", "Normal", 3): "map-alias-state-a-attr3",
    ("a", "Shared", 0): "map-alias-shared-attr0",
    ("a", "Shared", 1): "map-alias-shared-attr1",
    ("a", "Shared", 3): "map-alias-shared-attr3",
    ("a", "NonSecureIpc", 0): "map-alias-nonsecureipc-attr0",
    ("a", "NonSecureIpc", 1): "map-alias-nonsecureipc-attr1",
    ("a", "NonSecureIpc", 3): "map-alias-nonsecureipc-attr3",
    ("a", "NonDeviceIpc", 0): "map-alias-nondeviceipc-attr0",
    ("a", "NonDeviceIpc", 1): "map-alias-nondeviceipc-attr1",
    ("a", "NonDeviceIpc", 3): "map-alias-nondeviceipc-attr3",
    ("x-source", "Normal", None): "pointer-errors-source-read-only",
    ("x-source", "Shared", None): "map-alias-shared-x",
    ("x-source", "ThreadLocal", None): "pointer-errors-source-thread-local",
    ("x-dest", "Normal", None): "pointer-reply-mode2",
}

R = CH + 0x10000  # the region in the state under test, one page
FILL = 0x77
MAP_RQ = ["tls-buffer", "map-alias", "memory-query"]
X_RQ = ["tls-buffer", "pointer"]


def slug(state):
    return "".join("-" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(state))


def region(state, permission, contents=()):
    return mem("C", R, 0x1000, state=state, permission=permission, fill=FILL, contents=contents)


def setup(state, permission, contents=(), s_contents=()):
    return SU(memory=[mem("C", CH, 0x2000, fill=0xC5), mem("S", SH, 0x2000, fill=0xEE, contents=s_contents),
                      region(state, permission, contents)])


def requires(base, state):
    return base + (["memory-states"] if state in SYSTEM_STATES else [])


def flags(state, *rest):
    return list(rest) + (["SystemState"] if state in SYSTEM_STATES else [])


# ---------------------------------------------------------------------------------------
# A buffers: the three IPC-flag columns
# ---------------------------------------------------------------------------------------

def a_cell(state, attr):
    tid = "memory-states-a-%s-attr%d" % (slug(state), attr)
    req = M(type=4, a=[Bd(R, 0x1000, attr)])
    restored = mapping("C", R, state=state, permission="r",
                       comment="C's page keeps (or gets back) its state and permission")
    if ATTRIBUTE_FLAG[attr] in TABLE[state]:
        steps = [send(req, comment="C lends its %s page as an A buffer with attribute %d" % (state, attr)),
                 recv(ZERO),
                 xmsg(P(type=4, a=[Bd("$a", 0x1000, attr)], rlc=0)),
                 mapping("S", "$a", state=SERVER_STATE[attr], permission="r", page_offset=0,
                         data=rep(FILL, 0x10),
                         comment="S's mapping is in the attribute's state and holds C's bytes"),
                 reply(None), client("Success"), restored,
                 no_ipc("S", comment="the mapping is gone after the reply")]
        comment = ("A with attribute %d on a page in state %s: the state has the flag attribute %d needs, "
                   "so S gets a mapping in state %s" % (attr, state, attr, SERVER_STATE[attr]))
        return T(tid, comment, steps, setup(state, "r"), requires(MAP_RQ, state),
                 flags=flags(state, "StateAllows"), source="%s step 3, state table" % S44)
    steps = [send(req), broken(msg=ZERO), client("InvalidCurrentMemory"),
             no_ipc("S", comment="no server mapping is left (§4.7)"), restored,
             poll(comment="S keeps waiting")]
    comment = ("A with attribute %d on a page in state %s: the state lacks the flag attribute %d needs: "
               "InvalidCurrentMemory, S's receive is broken" % (attr, state, attr))
    return T(tid, comment, steps, setup(state, "r"), requires(MAP_RQ, state), result="invalid",
             flags=flags(state, "StateRefuses", "Broken"), source="%s step 3, state table; §4.6" % S44)


# ---------------------------------------------------------------------------------------
# X descriptors: the LinearMapped column, both directions
# ---------------------------------------------------------------------------------------

def x_source_cell(state):
    tid = "memory-states-x-source-%s" % slug(state)
    req = M(type=4, x=[Xd(0, R, 0x10)])
    s_list = M(rlc=2, c=[Cd(SH, 0x100)])
    su = setup(state, "r", contents=[(0, D(5, 0x10))])
    if "LIN" in TABLE[state]:
        steps = [send(req, comment="C sends 0x10 bytes of its %s page as an X" % state), recv(s_list),
                 xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)),
                 xmem("S", SH, D(5, 0x10), comment="S's receive-list entry holds C's bytes")]
        comment = "C's X source is a page in state %s, linear-mapped: the bytes are delivered" % state
        return T(tid, comment, steps, su, requires(X_RQ, state), flags=flags(state, "StateAllows"),
                 source="%s, §4.4 state table" % SRC)
    steps = [send(req), broken(msg=s_list), client("InvalidCurrentMemory"),
             xmem("S", SH, rep(0xEE, 0x10), comment="nothing reached S's receive-list entry"),
             poll(comment="S keeps waiting")]
    comment = ("C's X source is a page in state %s, not linear-mapped: InvalidCurrentMemory; S (mode 2, "
               "list at word 2) gets ReceiveListBroken" % state)
    return T(tid, comment, steps, su, requires(X_RQ, state), result="invalid",
             flags=flags(state, "StateRefuses", "Broken"), source="%s, §4.4 state table; §4.6" % SRC)


def x_dest_cell(state):
    tid = "memory-states-x-dest-%s" % slug(state)
    req = M(type=4, rlc=2, c=[Cd(R, 0x100)])
    rep_msg = M(x=[Xd(0, SH, 0x10)])
    su = setup(state, "rw", s_contents=[(0, D(8, 0x10))])
    head = [send(req, comment="C's receive list: one mode-2 entry on its %s page" % state), recv(ZERO),
            reply(rep_msg, comment="S replies with 0x10 bytes as an X")]
    if "LIN" in TABLE[state]:
        steps = head + [client("Success"),
                        xmsg(M(x=[Xd(0, R, 0x10)]), thread="C",
                             comment="C's buffer: the X rewritten to C's entry"),
                        xmem("C", R, D(8, 0x10) + rep(FILL, 0x10), comment="the bytes are in C's page")]
        comment = "C's receive-list entry is a page in state %s, linear-mapped: the reply's X is delivered" % state
        return T(tid, comment, steps, su, requires(X_RQ, state), flags=flags(state, "StateAllows"),
                 source="%s, §4.4 state table" % DST)
    steps = head + [client("InvalidCurrentMemory")]
    comment = ("C's receive-list entry is a page in state %s, not linear-mapped: the reply's X fails with "
               "InvalidCurrentMemory; S's reply half succeeds" % state)
    return T(tid, comment, steps, su, requires(X_RQ, state), result="invalid",
             flags=flags(state, "StateRefuses", "ReplyError"), source="%s, §4.4 state table; §5.3" % DST)


def cells(kind, attrs, make):
    out = []
    for state in TABLE:
        for attr in attrs:
            if (kind, state, attr) not in COVERED_ELSEWHERE:
                out.append(make(state) if attr is None else make(state, attr))
    return out


def memory_states():
    groups = [
        G("A buffers, by state and attribute",
          "Each state against each map-alias attribute: the page is lent read-only, so only the state's "
          "IPC flag decides (§4.4 step 3).",
          cells("a", (0, 1, 3), a_cell), source=S44),
        G("X sources, by state",
          "Each state as the source of a request's X: only LinearMapped decides (the page is readable).",
          cells("x-source", (None,), x_source_cell), source=SRC),
        G("X destinations in a reply, by state",
          "Each state as the client's mode-2 receive-list entry for a reply's X: only LinearMapped "
          "decides (the page is read-write).",
          cells("x-dest", (None,), x_dest_cell), source=DST),
    ]
    covered = ", ".join("%s/%s%s -> %s" % (k, s, "" if a is None else "/attr%d" % a, t)
                        for (k, s, a), t in sorted(COVERED_ELSEWHERE.items(), key=str))
    f = FILE("memory-states",
             "The memory-state table of kernel-semantics.md §4.4, one test per cell: which states may back "
             "an A buffer with each attribute, and which may be an X source (request) or an X destination "
             "(reply). The region under test is one page with the least permission the descriptor needs, "
             "so that only its state decides. Cells tested elsewhere: " + covered + ".",
             [S44 + " (step 3 and the state table)", SRC, DST, "%s §4.6, §5.3" % KS, "%s §1.4" % KS],
             {
                 "StateAllows": "The state has the flag the descriptor needs (§4.4 table): the translation succeeds.",
                 "StateRefuses": "The state lacks the flag the descriptor needs (§4.4 table): InvalidCurrentMemory 0xD401.",
                 "Broken": "The failing descriptor's slot ends past the server's receive-list index: the server's receive returns ReceiveListBroken 0x20401 (§4.6).",
                 "ReplyError": "The error occurs translating the reply: the client gets it, the server's reply half succeeds (§5.3).",
                 "SystemState": "A state a process is not given by its own memory calls on every kernel (or that older kernels lack): the test needs `memory-states` (§1.4).",
             }, groups)
    return emit("memory-states.json", f)


if __name__ == "__main__":
    print("total", memory_states())
