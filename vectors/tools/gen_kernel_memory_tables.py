#!/usr/bin/env python3
"""Builds vectors/kernel/memory-states.json and memory-access.json: the tables of
which memory a descriptor may use, cell by cell.

kernel-semantics.md states three tables the IPC paths read, and the other vector files
test a few cells of each:

* **states** (§4.4, "Which memory states carry the IPC flags"): FlagCanUseIpc,
  FlagCanUseNonSecureIpc and FlagCanUseNonDeviceIpc decide which map-alias attribute
  may lend a page (§4.4 step 3); FlagLinearMapped whether X data may be read from it in
  a request (§4.3 step 9) or written into it in a reply (§5.2 step 10);
* **permissions**: A and an X source need user-read, B and W user read+write (§4.4
  step 3, §4.3 step 9), an X destination user read+write (§4.3 step 9 "user-write
  semantics", §5.2 step 10);
* **user message buffers** (§1.2): only Normal, CodeData and AliasCodeData memory
  (FlagCanIpcUserBuffer and FlagReferenceCounted), exactly read+write, no attribute;
* **attributes**: attribute 0 tolerates none of Locked, DeviceShared, Uncached;
  attributes 1 and 3 none of Locked, Uncached; IpcLocked and PermissionLocked never
  matter (§4.4 step 3); an X source or a reply's X destination must not be Uncached,
  and nothing else is asked of its attributes (§4.3 step 9, §5.2 step 10).

This script tests every cell, one test per cell, so that a kernel wrong in a single
cell is caught and the report names the state, permission or attribute and the
descriptor. Every expectation is read off the tables by hand: STATES, NEEDS_PERMISSION
and REFUSED_ATTRIBUTES below are the spec's tables written out, not derived from any
kernel. Cells another file already tests are not repeated (COVERED_ELSEWHERE names the
test).

The page under test is one page with the least the descriptor needs in every other
respect (the state Normal, the permission it asks for, no attribute), so that only the
column under test decides. Free is not a state here: memory in state Free is
unmapped memory, which the `*-unmapped` vectors test.

Run: python3 vectors/tools/gen_kernel_memory_tables.py
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
STATES = {
    "Code": ALL4, "CodeData": ALL4, "Normal": ALL4, "AliasCode": ALL4,
    "AliasCodeData": ALL4, "Ipc": ALL4, "Stack": ALL4, "Transfered": ALL4,
    "SharedTransfered": ("NSI", "NDI", "LIN"), "SharedCode": ("NSI", "NDI", "LIN"),
    "NonSecureIpc": ("NSI", "NDI", "LIN"), "Insecure": ("NSI", "NDI", "LIN"),
    "NonDeviceIpc": ("NDI", "LIN"),
    "Shared": ("LIN",), "ThreadLocal": ("LIN",), "GeneratedCode": ("LIN",),
    "CodeOut": ("LIN",),
    "Io": (), "Static": (), "Inaccessible": (), "Kernel": (), "Coverage": (),
}

# The descriptors a table cell is about: A, B, W with a map-alias attribute; an X
# source in a request; an X destination in a request (the server's receive list) or
# in a reply (the client's).
A0, A1, A3 = ("a", 0), ("a", 1), ("a", 3)
B0, B1, B3 = ("b", 0), ("b", 1), ("b", 3)
W0, W1, W3 = ("w", 0), ("w", 1), ("w", 3)
XSRC, XDST_REQ, XDST_REPLY = ("x-source", None), ("x-dest-request", None), ("x-dest-reply", None)
UB = ("user-buffer", None)  # a user message buffer (SendSyncRequestWithUserBuffer)

# The states that may hold a user message buffer (§1.2: FlagCanIpcUserBuffer and
# FlagReferenceCounted), a column the §4.4 table does not print.
USER_BUFFER_STATES = ("Normal", "CodeData", "AliasCodeData")

# The state flag a descriptor needs (§4.4 step 3, §4.3 step 9, §5.2 step 10).
NEEDS_FLAG = {0: "IPC", 1: "NSI", 3: "NDI", None: "LIN"}
# The permissions a descriptor accepts (user-read, or user read+write).
READ = ("r", "rw", "rx")
NEEDS_PERMISSION = {"a": READ, "b": ("rw",), "w": ("rw",), "x-source": READ,
                    "x-dest-request": ("rw",), "x-dest-reply": ("rw",), "user-buffer": ("rw",)}
PERMISSIONS = ("none", "r", "rw", "rx")
# The attributes a descriptor refuses (§4.4 step 3, §4.3 step 9, §5.2 step 10).
ATTRIBUTES = ("locked", "ipc_locked", "device_shared", "uncached", "permission_locked")
# The map-alias rule depends on the descriptor's attribute only, not on its kind.
REFUSED_ATTRIBUTES = {
    **{d: ("locked", "device_shared", "uncached") for d in (A0, B0, W0)},
    **{d: ("locked", "uncached") for d in (A1, A3, B1, B3, W1, W3)},
    XSRC: ("uncached",),
    XDST_REPLY: ("uncached",),
    UB: ATTRIBUTES,
}

# The state the server's mapping gets for each attribute (§4.4 step 1).
SERVER_STATE = {0: "Ipc", 1: "NonSecureIpc", 3: "NonDeviceIpc"}

# States a process is not given by its own memory calls on every kernel (they are
# the kernel's, a driver's or a debugger's, or newer than some kernels): a region in
# one of them needs `memory-states` (vectors/README.md "Capabilities"; the runner
# derives it from the set-up, conformance/src/vector/needs.rs).
SYSTEM_STATES = {"Io", "Static", "Inaccessible", "Kernel", "SharedCode", "GeneratedCode",
                 "CodeOut", "Coverage", "Insecure"}

# Cells another file already tests, with the test that does: (descriptor, column).
COVERED_ELSEWHERE = {
    (A0, "Normal"): "map-alias-state-a-attr0",
    (A1, "Normal"): "map-alias-state-a-attr1",
    (A3, "Normal"): "map-alias-state-a-attr3",
    (A0, "Shared"): "map-alias-shared-attr0",
    (A1, "Shared"): "map-alias-shared-attr1",
    (A3, "Shared"): "map-alias-shared-attr3",
    (A0, "NonSecureIpc"): "map-alias-nonsecureipc-attr0",
    (A1, "NonSecureIpc"): "map-alias-nonsecureipc-attr1",
    (A3, "NonSecureIpc"): "map-alias-nonsecureipc-attr3",
    (A0, "NonDeviceIpc"): "map-alias-nondeviceipc-attr0",
    (B0, "Normal"): "map-alias-state-b-attr0",
    (B1, "Normal"): "map-alias-state-b-attr1",
    (B3, "Normal"): "map-alias-state-b-attr3",
    (W0, "Normal"): "map-alias-state-w-attr0",
    (W1, "Normal"): "map-alias-state-w-attr1",
    (W3, "Normal"): "map-alias-state-w-attr3",
    (A1, "NonDeviceIpc"): "map-alias-nondeviceipc-attr1",
    (A3, "NonDeviceIpc"): "map-alias-nondeviceipc-attr3",
    (XSRC, "Normal"): "pointer-errors-source-read-only",
    (XSRC, "Shared"): "map-alias-shared-x",
    (XSRC, "ThreadLocal"): "pointer-errors-source-thread-local",
    (XDST_REPLY, "Normal"): "pointer-reply-mode2",
    (A0, "none"): "map-alias-a-no-permission",
    (A0, "r"): "map-alias-a-read-only",
    (A0, "rw"): "map-alias-state-a-attr0",
    (B0, "r"): "map-alias-b-read-only",
    (B0, "rw"): "map-alias-state-b-attr0",
    (W0, "r"): "map-alias-w-read-only",
    (W0, "rw"): "map-alias-state-w-attr0",
    (XSRC, "none"): "pointer-errors-source-no-permission",
    (XSRC, "r"): "pointer-errors-source-read-only",
    (XSRC, "rw"): "pointer-modes-m2-basic",
    (XDST_REQ, "r"): "pointer-errors-dest-read-only",
    (XDST_REQ, "rw"): "pointer-modes-m2-basic",
    (XDST_REPLY, "r"): "pointer-errors-reply-dest-read-only",
    (XDST_REPLY, "rw"): "pointer-reply-mode2",
    (A0, "ipc_locked"): "map-alias-ipc-locked-attr0",
    (A0, "device_shared"): "map-alias-device-shared-attr0",
    (A0, "uncached"): "map-alias-uncached-attr0",
    (A0, "permission_locked"): "map-alias-permission-locked-attr0",
    (A1, "device_shared"): "map-alias-device-shared-attr1",
    (A1, "uncached"): "map-alias-uncached-attr1",
    (A3, "locked"): "map-alias-locked-attr3",
    (A3, "device_shared"): "map-alias-device-shared-attr3",
    (XSRC, "uncached"): "pointer-errors-source-uncached",
    (XDST_REPLY, "uncached"): "pointer-errors-reply-dest-uncached",
    (UB, "Normal"): "user-buffer-request-locks-buffer",
    (UB, "CodeData"): "user-buffer-state-codedata-accepted",
    (UB, "AliasCodeData"): "user-buffer-state-aliascodedata-accepted",
    (UB, "Shared"): "user-buffer-state-shared",
    (UB, "ThreadLocal"): "user-buffer-state-threadlocal",
    (UB, "Ipc"): "user-buffer-state-ipc",
    (UB, "Stack"): "user-buffer-state-stack",
    (UB, "Transfered"): "user-buffer-state-transfered",
    (UB, "none"): "user-buffer-no-permission",
    (UB, "r"): "user-buffer-read-only",
    (UB, "rw"): "user-buffer-request-locks-buffer",
    (UB, "locked"): "user-buffer-attribute-locked",
    (UB, "ipc_locked"): "user-buffer-attribute-ipc-locked",
    (UB, "device_shared"): "user-buffer-attribute-device-shared",
    (UB, "uncached"): "user-buffer-attribute-uncached",
    (UB, "permission_locked"): "user-buffer-attribute-permission-locked",
}

R = CH + 0x10000  # the client's page under test
RS = SH + 0x10000  # the server's page under test (an X destination in a request)
FILL = 0x77
MAP_RQ = ["tls-buffer", "map-alias", "memory-query"]
X_RQ = ["tls-buffer", "pointer"]


def slug(name):
    return "".join("-" + c.lower() if c.isupper() and i else c.lower()
                   for i, c in enumerate(name)).replace("_", "-")


class Page:
    """The page under test: state, permission, attributes (one set at most)."""

    def __init__(self, state="Normal", permission="rw", attribute=None):
        self.state, self.permission, self.attribute = state, permission, attribute

    def attributes(self):
        """All five attributes, the page's own set (the form `expect_mapping` compares)."""
        return {a: a == self.attribute for a in ATTRIBUTES}

    def region(self, process, address, contents=()):
        attributes = {self.attribute: True} if self.attribute else None
        return mem(process, address, 0x1000, state=self.state, permission=self.permission,
                   attributes=attributes, fill=FILL, contents=contents)

    def describe(self):
        if self.attribute:
            return "a page with the %s attribute" % self.attribute
        if self.state != "Normal":
            return "a page in state %s" % self.state
        return "a page with permission %s" % self.permission

    def allows(self, desc):
        kind, attr = desc
        state_ok = (self.state in USER_BUFFER_STATES if desc == UB
                    else NEEDS_FLAG[attr] in STATES[self.state])
        return (state_ok
                and self.permission in NEEDS_PERMISSION[kind]
                and self.attribute not in REFUSED_ATTRIBUTES.get(desc, ()))

    def requires(self, base):
        return base + (["memory-states"] if self.state in SYSTEM_STATES else [])

    def flags(self, *rest):
        return list(rest) + (["SystemState"] if self.state in SYSTEM_STATES else [])


def setup(page, contents=(), s_contents=(), server_page=False):
    regions = [mem("C", CH, 0x2000, fill=0xC5), mem("S", SH, 0x2000, fill=0xEE, contents=s_contents)]
    regions.append(page.region("S", RS) if server_page else page.region("C", R, contents))
    return SU(memory=regions)


def descriptor_name(desc):
    kind, attr = desc
    return "%s with attribute %d" % (kind.upper(), attr) if attr is not None else {
        "x-source": "C's X source", "x-dest-request": "S's receive-list entry",
        "x-dest-reply": "C's receive-list entry", "user-buffer": "C's user message buffer"}[kind]


# ---------------------------------------------------------------------------------------
# One test per cell, one function per descriptor
# ---------------------------------------------------------------------------------------

def lent_page(page, kind, lent):
    """C's page while lent (§4.4 step 4): IPC-locked and re-protected. A page that is
    IPC-locked already (lent through another IPC) is asserted locked only: step 4 says
    nothing of a second lock's permission (a kernel that counts locks, as mesosphère
    does, re-protects on the first lock alone), so the permission is left open."""
    if page.attribute == "ipc_locked":
        return mapping("C", R, state=page.state, attributes=lent,
                       comment="C's page stays IPC-locked while lent (step 4; its permission under a "
                       "second lock is not specified)")
    return mapping("C", R, state=page.state, permission="r" if kind == "a" else "none", attributes=lent,
                   comment="C's page is IPC-locked and re-protected while lent (step 4)")


def map_alias_cell(tid, page, desc, source):
    kind, attr = desc
    req = M(type=4, **{kind: [Bd(R, 0x1000, attr)]})
    restored = mapping("C", R, state=page.state, permission=page.permission, attributes=page.attributes(),
                       comment="C's page keeps (or gets back) its state, permission and attributes")
    what = "%s on %s" % (descriptor_name(desc), page.describe())
    if page.allows(desc):
        s_perm = "r" if kind == "a" else "rw"
        lent = dict(page.attributes(), ipc_locked=True)
        steps = [send(req, comment="C lends %s" % what), recv(ZERO),
                 xmsg(P(type=4, **{kind: [Bd("$" + kind, 0x1000, attr)]}, rlc=0)),
                 mapping("S", "$" + kind, state=SERVER_STATE[attr], permission=s_perm, page_offset=0,
                         data=rep(FILL, 0x10),
                         comment="S's mapping is in the attribute's state; the fully covered page "
                         "is shared, so S reads C's bytes (B included, step 5)"),
                 lent_page(page, kind, lent),
                 reply(None), client("Success"), restored,
                 no_ipc("S", comment="the mapping is gone after the reply")]
        return T(tid, "%s: allowed, S gets a mapping in state %s" % (what, SERVER_STATE[attr]), steps,
                 setup(page), page.requires(MAP_RQ), flags=page.flags("Allows"), source=source)
    steps = [send(req), broken(msg=ZERO), client("InvalidCurrentMemory"),
             no_ipc("S", comment="no server mapping is left (§4.7)"), restored,
             poll(comment="S keeps waiting")]
    return T(tid, "%s: InvalidCurrentMemory, S's receive is broken" % what, steps, setup(page),
             page.requires(MAP_RQ), result="invalid", flags=page.flags("Refuses", "Broken"),
             source=source + "; %s §4.6" % KS)


def x_source_cell(tid, page, desc, source):
    req = M(type=4, x=[Xd(0, R, 0x10)])
    s_list = M(rlc=2, c=[Cd(SH, 0x100)])
    su = setup(page, contents=[(0, D(5, 0x10))])
    what = "C's X source is %s" % page.describe()
    if page.allows(desc):
        steps = [send(req, comment="C sends 0x10 bytes of the page as an X"), recv(s_list),
                 xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)),
                 xmem("S", SH, D(5, 0x10), comment="S's receive-list entry holds C's bytes")]
        return T(tid, what + ": the bytes are delivered", steps, su, page.requires(X_RQ),
                 flags=page.flags("Allows"), source=source)
    steps = [send(req), broken(msg=s_list), client("InvalidCurrentMemory"),
             xmem("S", SH, rep(0xEE, 0x10), comment="nothing reached S's receive-list entry"),
             poll(comment="S keeps waiting")]
    return T(tid, what + ": InvalidCurrentMemory; S (mode 2, list at word 2) gets ReceiveListBroken",
             steps, su, page.requires(X_RQ), result="invalid", flags=page.flags("Refuses", "Broken"),
             source=source + "; %s §4.6" % KS)


def x_dest_request_cell(tid, page, desc, source):
    req = M(type=4, x=[Xd(0, CH, 0x10)])
    s_list = M(rlc=2, c=[Cd(RS, 0x100)])
    su = SU(memory=[mem("C", CH, 0x2000, fill=0xC5, contents=[(0, D(6, 0x10))]),
                    mem("S", SH, 0x2000, fill=0xEE), page.region("S", RS)])
    what = "S's mode-2 receive-list entry is %s" % page.describe()
    assert not page.allows(desc), "only refusals are untested here"
    steps = [send(req), broken(msg=s_list), client("InvalidCurrentMemory"),
             poll(comment="S keeps waiting")]
    return T(tid, what + ": the kernel writes it with user-write semantics: InvalidCurrentMemory, "
             "S gets ReceiveListBroken", steps, su, page.requires(X_RQ), result="invalid",
             flags=page.flags("Refuses", "Broken"), source=source + "; %s §4.6" % KS)


def x_dest_reply_cell(tid, page, desc, source):
    req = M(type=4, rlc=2, c=[Cd(R, 0x100)])
    su = setup(page, s_contents=[(0, D(8, 0x10))])
    what = "C's receive-list entry is %s" % page.describe()
    head = [send(req, comment="C's receive list: one mode-2 entry on the page"), recv(ZERO),
            reply(M(x=[Xd(0, SH, 0x10)]), comment="S replies with 0x10 bytes as an X")]
    if page.allows(desc):
        steps = head + [client("Success"),
                        xmsg(M(x=[Xd(0, R, 0x10)]), thread="C",
                             comment="C's buffer: the X rewritten to C's entry"),
                        xmem("C", R, D(8, 0x10) + rep(FILL, 0x10), comment="the bytes are in C's page")]
        return T(tid, what + ": the reply's X is delivered", steps, su, page.requires(X_RQ),
                 flags=page.flags("Allows"), source=source)
    steps = head + [client("InvalidCurrentMemory")]
    return T(tid, what + ": the reply's X fails with InvalidCurrentMemory; S's reply half succeeds",
             steps, su, page.requires(X_RQ), result="invalid", flags=page.flags("Refuses", "ReplyError"),
             source=source + "; %s §5.3" % KS)


def user_buffer_cell(tid, page, desc, source):
    su = setup(page)
    what = "C's user message buffer is %s" % page.describe()
    assert not page.allows(desc), "only refusals are untested here"
    steps = [send(M(type=1, raw=[0x42]), buffer=ub(R, 0x1000), expect="InvalidCurrentMemory",
                  comment="SendSyncRequestWithUserBuffer on the page: the lock fails"),
             mapping("C", R, state=page.state, permission=page.permission,
                     comment="the page is not locked: its state and permission are unchanged"),
             poll(comment="S keeps waiting: nothing was sent")]
    return T(tid, what + ": the buffer cannot be locked: InvalidCurrentMemory, nothing is sent", steps, su,
             page.requires(["user-buffer", "memory-query"]), result="invalid",
             flags=page.flags("Refuses"), source=source)


CELL = {"a": map_alias_cell, "b": map_alias_cell, "w": map_alias_cell,
        "x-source": x_source_cell, "x-dest-request": x_dest_request_cell,
        "x-dest-reply": x_dest_reply_cell, "user-buffer": user_buffer_cell}
SOURCE = {"a": S44 + " step 3", "b": S44 + " step 3", "w": S44 + " step 3", "x-source": SRC,
          "x-dest-request": SRC, "x-dest-reply": DST, "user-buffer": "%s §1.2" % KS}


def cells(topic, descriptors, columns, page_for):
    out = []
    for column in columns:
        for desc in descriptors:
            if (desc, column) in COVERED_ELSEWHERE:
                continue
            kind, attr = desc
            tid = "%s-%s-%s%s" % (topic, kind, slug(column), "" if attr is None else "-attr%d" % attr)
            out.append(CELL[kind](tid, page_for(column), desc, SOURCE[kind]))
    return out


def covered_note(columns):
    return ", ".join("%s%s/%s -> %s" % (k, "" if a is None else str(a), c, t)
                     for ((k, a), c), t in COVERED_ELSEWHERE.items() if c in columns)


NOTES = {
    "Allows": "The page has what the descriptor needs: the translation succeeds.",
    "Refuses": "The page lacks what the descriptor needs: InvalidCurrentMemory 0xD401.",
    "Broken": "The failing descriptor's slot ends past the server's receive-list index: the server's receive returns ReceiveListBroken 0x20401 (§4.6).",
    "ReplyError": "The error occurs translating the reply: the client gets it, the server's reply half succeeds (§5.3).",
    "SystemState": "A state a process is not given by its own memory calls on every kernel (or that older kernels lack): the test needs `memory-states` (§1.4).",
}


def notes_for(groups):
    used = {f for g in groups for t in g["tests"] for f in t["flags"]}
    return {k: v for k, v in NOTES.items() if k in used}


def memory_states():
    topic = "memory-states"
    groups = [
        G("A buffers, by state and attribute",
          "Each state against each map-alias attribute: the page is lent read-only, so only the state's "
          "IPC flag decides (§4.4 step 3).",
          cells(topic, (A0, A1, A3), STATES, lambda s: Page(state=s, permission="r")), source=S44),
        G("B buffers, by state and attribute",
          "Each state against each map-alias attribute for a B (receive) buffer: the page is read-write, as B "
          "needs, so only the state's IPC flag decides (§4.4 step 3). The flag is chosen by the attribute, "
          "whatever the descriptor's kind, so a kernel that picks it differently for B is caught here.",
          cells(topic, (B0, B1, B3), STATES, lambda s: Page(state=s, permission="rw")), source=S44),
        G("W buffers, by state and attribute",
          "Each state against each map-alias attribute for a W (exchange) buffer, as for B.",
          cells(topic, (W0, W1, W3), STATES, lambda s: Page(state=s, permission="rw")), source=S44),
        G("X sources, by state",
          "Each state as the source of a request's X: only LinearMapped decides (the page is readable).",
          cells(topic, (XSRC,), STATES, lambda s: Page(state=s, permission="r")), source=SRC),
        G("X destinations in a reply, by state",
          "Each state as the client's mode-2 receive-list entry for a reply's X: only LinearMapped "
          "decides (the page is read-write).",
          cells(topic, (XDST_REPLY,), STATES, lambda s: Page(state=s, permission="rw")), source=DST),
        G("user message buffers, by state",
          "Each state as a read-write user message buffer: only Normal, CodeData and AliasCodeData can be "
          "locked for IPC (§1.2).",
          cells(topic, (UB,), STATES, lambda s: Page(state=s, permission="rw")), source="%s §1.2" % KS),
    ]
    f = FILE(topic,
             "The memory-state table of kernel-semantics.md §4.4, one test per cell: which states may back "
             "an A, B or W buffer with each attribute, and which may be an X source (request) or an X destination "
             "(reply), and which may hold a user message buffer (§1.2). Cells tested elsewhere: "
             + covered_note(STATES) + ".",
             [S44 + " (step 3 and the state table)", SRC, DST, "%s §1.2" % KS, "%s §4.6, §5.3" % KS,
              "%s §1.4" % KS],
             notes_for(groups), groups)
    return emit("memory-states.json", f)


def memory_access():
    topic = "memory-access"
    descriptors = (A0, A1, A3, B0, W0, XSRC, XDST_REQ, XDST_REPLY, UB)
    groups = [
        G("permissions",
          "Each user permission against each descriptor: A and an X source need user-read, B, W, "
          "an X destination and a user message buffer user read+write.",
          cells(topic, descriptors[:1] + descriptors[3:], PERMISSIONS, lambda p: Page(permission=p)),
          source="%s step 3, §4.3 step 9, §5.2 step 10" % S44),
        G("attributes",
          "Each memory attribute against each descriptor that reads attributes: the page is Normal and "
          "read-write, so only the attribute decides.",
          cells(topic, (A0, A1, A3, B0, B1, B3, W0, W1, W3, XSRC, XDST_REPLY, UB), ATTRIBUTES,
                lambda a: Page(attribute=a)),
          source="%s step 3, §4.3 step 9, §5.2 step 10" % S44),
    ]
    f = FILE(topic,
             "The permission and attribute rules of kernel-semantics.md §1.2, §4.4 step 3, §4.3 step 9 and "
             "§5.2 step 10, one test per cell: which user permissions and which memory attributes each "
             "descriptor accepts. Cells tested elsewhere: "
             + covered_note(PERMISSIONS + ATTRIBUTES) + ".",
             [S44 + " step 3", SRC, DST, "%s §1.2" % KS, "%s §4.6, §5.3" % KS], notes_for(groups), groups)
    return emit("memory-access.json", f)


if __name__ == "__main__":
    print("total", memory_states() + memory_access())
