#!/usr/bin/env python3
"""Builds vectors/kernel/map-alias*.json: A/B/W map-alias buffers.

Every expectation is written out by hand from kernel-semantics.md §4.4 (map-alias in a
request), §4.6-4.8 (failures), §5.2 steps 5, 7, 13 and §5.4 (reply, copy-back, unmap)
and §8 scenarios 47-59. Server addresses are randomized on real kernels (§9), so they
are bound at first sight ($a, $b, $w) and only their page offset, state, permission
and contents are checked. Nothing is computed by simulating a kernel; D(seed, n) only
spells the bytes the set-up writes.

Run: python3 vectors/tools/gen_kernel_map_alias.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pm_common import *  # noqa: E402,F401,F403

S44 = "%s §4.4" % KS
ST = {0: "Ipc", 1: "NonSecureIpc", 3: "NonDeviceIpc"}
RQ = ["tls-buffer", "map-alias", "memory-query"]
FILL = 0xC5  # the client heap's fill byte
ASYNC_BUFFER = CH + 0x100000  # an async client's message buffer


def sc(n):
    return "%s §8 #%s" % (KS, n)


def su(contents=(), extra=(), c_size=0x6000, procs=("C", "S"), threads=(),
       sessions=(("s", "S", "C"),), alias=None, s_heap=True):
    memory = [mem("C", CH, c_size, fill=FILL, contents=contents)]
    if s_heap:
        memory.append(mem("S", SH, 0x2000, fill=0xEE))
    memory += list(extra)
    return SU(procs=procs, memory=memory, threads=threads, sessions=sessions, alias=alias)


def ok_flow(req, s_view, during=(), after=(), reply_msg=None):
    st = [send(req, comment="C sends its request and blocks"), recv(ZERO), xmsg(s_view)]
    st += list(during)
    st += [reply(reply_msg), client("Success")]
    st += list(after)
    st.append(no_ipc("S", comment="every server mapping of the request is gone after the reply"))
    return st


def fail_flow(req, result, broken_=True, s_msg=ZERO, after=()):
    st = [send(req)]
    if broken_:
        st.append(broken(msg=s_msg))
    else:
        st.append(poll(msg=s_msg))
    st.append(client(result))
    st.append(no_ipc("S", comment="no server mapping is left (§4.7)"))
    st += list(after)
    if broken_:
        st.append(poll(comment="S keeps waiting"))
    return st


# ---------------------------------------------------------------------------------------
# map-alias.json
# ---------------------------------------------------------------------------------------

def map_alias():
    tp = "map-alias"
    I = lambda s: tp + "-" + s  # noqa: E731
    groups = []
    B1 = CH + 0x1000

    t = []
    t.append(T(I("a-two-pages"),
               "47: A of 0x2000 bytes at a page-aligned address: S sees the same page offset, the client's contents, state Ipc, read-only; C's pages are read-only and IPC-locked during the request and restored after the reply",
               ok_flow(M(type=4, a=[Bd(B1, 0x2000, 0)], raw=[1]),
                       P(type=4, a=[Bd("$a", 0x2000, 0)], raw=[1], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", page_offset=0, data=D(1, 0x10)),
                               mapping("S", "$a+0x1000", data=D(2, 0x10)),
                               mapping("S", "$a+0x1ff0", data=D(3, 0x10)),
                               access("S", "$a", 0x2000, False, True, comment="S can read its A mapping"),
                               access("S", "$a", 0x2000, True, False, comment="S cannot write its A mapping"),
                               mapping("C", B1, state="Normal", permission="r", attributes=IPCLOCKED),
                               mapping("C", B1 + 0x1000, state="Normal", permission="r", attributes=IPCLOCKED),
                               access("C", B1, 0x2000, False, True),
                               access("C", B1, 0x2000, True, False, comment="C's lent pages are read-only")],
                       after=[c_page(B1), c_page(B1 + 0x1000), access("C", B1, 0x2000, True, True)]),
               su([(0x1000, D(1, 0x10)), (0x2000, D(2, 0x10)), (0x2FF0, D(3, 0x10))]), RQ,
               flags=["Permission", "Reprotect"], source=sc(47), scenario="47"))
    t.append(T(I("a-page-offset"),
               "A of 0x100 bytes at page + 0x234: S's address has page offset 0x234 and the bytes there are the client's; no page is fully covered, so C's page stays read-write",
               ok_flow(M(type=4, a=[Bd(CH + 0x1234, 0x100, 0)]), P(type=4, a=[Bd("$a", 0x100, 0)], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", page_offset=0x234, data=D(1, 0x10)),
                               mapping("S", "$a+0xf0", data=D(2, 0x10)),
                               c_page(B1)]),
               su([(0x1234, D(1, 0x10)), (0x1324, D(2, 0x10))]), RQ, flags=["PageOffset"],
               source="%s step 5" % S44, scenario="47"))
    t.append(T(I("a-crossing-page"),
               "A of 0x200 bytes at page + 0xf00 crosses into the next page: S sees page offset 0xf00 and the client's bytes on both sides of the boundary",
               ok_flow(M(type=4, a=[Bd(CH + 0x1F00, 0x200, 0)]), P(type=4, a=[Bd("$a", 0x200, 0)], rlc=0),
                       during=[mapping("S", "$a", page_offset=0xF00, data=D(1, 0x10)),
                               mapping("S", "$a+0x100", data=D(2, 0x10))]),
               su([(0x1F00, D(1, 0x10)), (0x2000, D(2, 0x10))]), ["tls-buffer", "map-alias", "memory-query"],
               flags=["PageOffset"], source="%s step 5" % S44, scenario="47"))
    t.append(T(I("a-multi-block"),
               "A of 0x1000 bytes at page + 0x800 spanning the end of C's Normal heap and an adjacent Stack block (both may back IPC): S sees both blocks' bytes",
               ok_flow(M(type=4, a=[Bd(CH + 0x1800, 0x1000, 0)]), P(type=4, a=[Bd("$a", 0x1000, 0)], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", page_offset=0x800, data=D(1, 0x10)),
                               mapping("S", "$a+0x800", data=rep(0x77, 0x10))]),
               su([(0x1800, D(1, 0x10))], c_size=0x2000,
                  extra=[mem("C", CH + 0x2000, 0x1000, state="Stack", fill=0x77)]), RQ,
               flags=["SunriseDivergence"], source="%s step 3, §7 #38" % S44, scenario="47"))
    HI = 0x3A10000000  # address bits 32..35 = 0xA (word 2 bits 12..15), 36..38 = 3 (bits 28..30)
    t.append(T(I("a-w-above-4gib"),
               "C's buffers lie above 4 GiB (0x3a10000000): an A at +0x100 and a W at +0x1100; the kernel reads all 39 address bits of each descriptor, so S sees C's bytes through both, and S's write into the W comes back to C's high address after the reply",
               ok_flow(M(type=4, a=[Bd(HI + 0x100, 0x10, 0)], w=[Bd(HI + 0x1100, 0x20, 0)]),
                       P(type=4, a=[Bd("$a", 0x10, 0)], w=[Bd("$w", 0x20, 0)], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", page_offset=0x100, data=D(1, 0x10)),
                               mapping("S", "$w", state="Ipc", permission="rw", page_offset=0x100, data=D(2, 0x20)),
                               write("S", "$w", rep(0x5A, 0x20))],
                       after=[xmem("C", HI + 0x1100, rep(0x5A, 0x20)),
                              xmem("C", HI + 0x100, D(1, 0x10))]),
               SU(memory=[mem("C", HI, 0x2000, fill=FILL, contents=[(0x100, D(1, 0x10)), (0x1100, D(2, 0x20))])]),
               RQ, flags=["PageOffset"], source="%s §2.6 (address bits 32..35 and 36..38 in word 2); %s step 3" % (KS, S44),
               scenario="47"))
    TOP = (1 << 39) - 0x1000  # the last page of the 39-bit address space
    t.append(T(I("a-last-page"),
               "C's buffer is the last page of the 39-bit address space (0x7ffffff000, 0x1000 bytes): the range ends exactly at 2^39, which is still inside the address space, so S sees C's bytes",
               ok_flow(M(type=4, a=[Bd(TOP, 0x1000, 0)]), P(type=4, a=[Bd("$a", 0x1000, 0)], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", page_offset=0, data=D(1, 0x10)),
                               mapping("S", "$a+0xff0", data=D(2, 0x10))]),
               SU(memory=[mem("C", TOP, 0x1000, fill=FILL, contents=[(0, D(1, 0x10)), (0xFF0, D(2, 0x10))])]),
               RQ, flags=["PageOffset"], source="%s step 3 ([addr, addr+size) inside the client address space); %s §2.6 (39-bit addresses)" % (S44, KS),
               scenario="47"))
    groups.append(G("A buffers", "The server gets a read-only mapping of the client's bytes at the same page offset.",
                    t, source=S44))

    t = []
    for kind in ("a", "b", "w"):
        for attr in (0, 1, 3):
            perm = "r" if kind == "a" else "rw"
            cperm = "r" if kind == "a" else "none"
            req = M(type=4, **{kind: [Bd(B1, 0x1000, attr)]})
            view = P(type=4, rlc=0, **{kind: [Bd("$m", 0x1000, attr)]})
            during = [mapping("S", "$m", state=ST[attr], permission=perm, page_offset=0, attributes=NOATTR,
                              data=D(1, 0x10),
                              comment="a fully covered page is shared: S reads the client's bytes (for B too)"),
                      access("S", "$m", 0x1000, True, kind != "a"),
                      mapping("C", B1, state="Normal", permission=cperm, attributes=IPCLOCKED),
                      access("C", B1, 0x1000, False, kind == "a"),
                      access("C", B1, 0x1000, True, False)]
            what = {"a": "read-only for S, read-only for C",
                    "b": "read-write for S, inaccessible to C",
                    "w": "read-write for S, inaccessible to C"}[kind]
            t.append(T(I("state-%s-attr%d" % (kind, attr)),
                       "%s with attribute %d over one full page: S's mapping has state %s, %s; C's page IPC-locked; all restored after the reply" % (kind.upper(), attr, ST[attr], what),
                       ok_flow(req, view, during=during, after=[c_page(B1), access("C", B1, 0x1000, True, True)]),
                       su([(0x1000, D(1, 0x10))]), RQ, flags=["Permission", "Reprotect", "State"],
                       source="%s steps 1, 4, 5" % S44, scenario="47"))
    t.append(T(I("abw-together"),
               "One A (attribute 0), one B (attribute 1) and one W (attribute 3) in one request: each rewritten in order with its own server mapping, state and permission",
               ok_flow(M(type=4, a=[Bd(B1, 0x1000, 0)], b=[Bd(CH + 0x2000, 0x1000, 1)], w=[Bd(CH + 0x3000, 0x1000, 3)]),
                       P(type=4, a=[Bd("$a", 0x1000, 0)], b=[Bd("$b", 0x1000, 1)], w=[Bd("$w", 0x1000, 3)], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", data=D(1, 0x10)),
                               mapping("S", "$b", state="NonSecureIpc", permission="rw", data=D(2, 0x10)),
                               mapping("S", "$w", state="NonDeviceIpc", permission="rw", data=D(3, 0x10)),
                               mapping("C", B1, permission="r", attributes=IPCLOCKED),
                               mapping("C", CH + 0x2000, permission="none", attributes=IPCLOCKED),
                               mapping("C", CH + 0x3000, permission="none", attributes=IPCLOCKED)],
                       after=[c_page(B1), c_page(CH + 0x2000), c_page(CH + 0x3000)]),
               su([(0x1000, D(1, 0x10)), (0x2000, D(2, 0x10)), (0x3000, D(3, 0x10))]), RQ,
               flags=["Permission", "State"], source="%s steps 4, 5, 7" % S44, scenario="47"))
    groups.append(G("state and permission", "Attribute 0/1/3 selects Ipc/NonSecureIpc/NonDeviceIpc; A is read-only, B and W read-write; the client's fully covered pages are re-protected.",
                    t, source=S44))

    t = []
    for kind, attr in (("a", 1), ("b", 3), ("w", 0)):
        t.append(T(I("%s-size0" % kind),
                   "48: %s with size 0, non-zero address and attribute %d: S sees address 0, size 0, attribute %d; nothing is mapped and C's page is untouched" % (kind.upper(), attr, attr),
                   ok_flow(M(type=4, **{kind: [Bd(B1, 0, attr)]}), P(type=4, rlc=0, **{kind: [Bd(0, 0, attr)]}),
                           during=[no_ipc("S", comment="nothing mapped for a size-0 buffer"), c_page(B1)]),
                   su(), RQ, flags=["ZeroSize"], source="%s step 2" % S44, scenario="48"))
    t.append(T(I("size0-unmapped-address"),
               "A with size 0 whose address is unmapped: no memory check is made for size 0; S sees address 0",
               ok_flow(M(type=4, a=[Bd(UNMAPPED, 0, 0)]), P(type=4, a=[Bd(0, 0, 0)], rlc=0)),
               su(), RQ, flags=["ZeroSize"], source="%s step 2" % S44, scenario="48"))
    t.append(T(I("size0-then-mapped"),
               "A of size 0 followed by an A of 0x1000 bytes: the first is delivered as address 0, the second gets a mapping",
               ok_flow(M(type=4, a=[Bd(B1, 0, 0), Bd(CH + 0x2000, 0x1000, 0)]),
                       P(type=4, a=[Bd(0, 0, 0), Bd("$a", 0x1000, 0)], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", data=D(2, 0x10)), c_page(B1)]),
               su([(0x2000, D(2, 0x10))]), RQ, flags=["ZeroSize"], source="%s step 2" % S44, scenario="48"))
    groups.append(G("size 0", "Size 0: nothing mapped, nothing checked, address 0 delivered.", t, source=S44))

    t = []
    t.append(T(I("attr2-a-size0"),
               "49: A with attribute 2 and size 0: InvalidCombination (the attribute is checked before the size); S's list at word 2 was passed: ReceiveListBroken",
               fail_flow(M(type=4, a=[Bd(B1, 0, 2)]), "InvalidCombination"),
               su(), RQ, result="invalid", flags=["Attribute2", "Broken"], source=sc(49), scenario="49"))
    t.append(T(I("attr2-b"),
               "B of 0x1000 bytes with attribute 2: InvalidCombination; C's page untouched",
               fail_flow(M(type=4, b=[Bd(B1, 0x1000, 2)]), "InvalidCombination", after=[c_page(B1)]),
               su(), RQ, result="invalid", flags=["Attribute2", "Broken"], source="%s step 1" % S44,
               scenario="49"))
    t.append(T(I("attr2-w-size0"),
               "W with attribute 2 and size 0: InvalidCombination",
               fail_flow(M(type=4, w=[Bd(B1, 0, 2)]), "InvalidCombination"),
               su(), RQ, result="invalid", flags=["Attribute2", "Broken"], source="%s step 1" % S44,
               scenario="49"))
    t.append(T(I("attr2-not-broken"),
               "A with attribute 2 and size 0 while S's list is at word 60 (mode 0): InvalidCombination to C; S is not told (poll times out) and its header words are restored",
               fail_flow(M(type=4, a=[Bd(B1, 0, 2)]), "InvalidCombination", broken_=False, s_msg=M(rlo=60),
                         after=[words([0, 0x03C00000])]),
               su(), RQ + ["receive-list-offset"], result="invalid", flags=["Attribute2", "NotBroken"],
               source="%s §4.4 step 1, §4.6" % KS, scenario="49"))
    groups.append(G("attribute 2", "Attribute 2 is invalid whatever the size.", t, source=S44))

    t = []
    R2 = CH + 0x10000

    def reg(state="Normal", perm="rw", attributes=None):
        return [mem("C", R2, 0x1000, state=state, permission=perm, attributes=attributes, fill=0x77)]

    t.append(T(I("a-unmapped"),
               "50: A on unmapped memory: InvalidCurrentMemory",
               fail_flow(M(type=4, a=[Bd(UNMAPPED, 0x1000, 0)]), "InvalidCurrentMemory"),
               su(), RQ, result="invalid", flags=["ClientMemory", "Broken"], source=sc(50), scenario="50"))
    for kind in ("b", "w"):
        t.append(T(I("%s-read-only" % kind),
                   "50: %s on read-only memory (read+write required): InvalidCurrentMemory; the page keeps its permission" % kind.upper(),
                   fail_flow(M(type=4, **{kind: [Bd(R2, 0x1000, 0)]}), "InvalidCurrentMemory",
                             after=[c_page(R2, "r")]),
                   su(extra=reg(perm="r")), RQ, result="invalid", flags=["ClientMemory", "Broken"],
                   source=sc(50), scenario="50"))
    t.append(T(I("a-no-permission"),
               "A on memory without user permission: InvalidCurrentMemory (user-read required)",
               fail_flow(M(type=4, a=[Bd(R2, 0x1000, 0)]), "InvalidCurrentMemory"),
               su(extra=reg(perm="none")), RQ, result="invalid", flags=["ClientMemory", "Broken"],
               source="%s step 3" % S44, scenario="50"))
    t.append(T(I("a-read-only"),
               "A on read-only memory: allowed; after the reply the page is read-only again (its original permission), not read-write",
               ok_flow(M(type=4, a=[Bd(R2, 0x1000, 0)]), P(type=4, a=[Bd("$a", 0x1000, 0)], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", data=rep(0x77, 0x10)),
                               mapping("C", R2, permission="r", attributes=IPCLOCKED)],
                       after=[c_page(R2, "r")]),
               su(extra=reg(perm="r")), RQ, flags=["ClientMemory", "Reprotect"], source="%s steps 3, 4" % S44,
               scenario="50"))
    for attr in (0, 1, 3):
        t.append(T(I("shared-attr%d" % attr),
                   "51: A with attribute %d on Shared memory (MapSharedMemory: no IPC state flag): InvalidCurrentMemory" % attr,
                   fail_flow(M(type=4, a=[Bd(R2, 0x1000, attr)]), "InvalidCurrentMemory",
                             after=[mapping("C", R2, state="Shared", permission="rw", attributes=NOATTR)]),
                   su(extra=reg(state="Shared")), RQ, result="invalid", flags=["StateFlags", "Broken"],
                   source=sc(51), scenario="51"))
    t.append(T(I("shared-x"),
               "51: an X descriptor on the same Shared memory succeeds (Shared is linear-mapped)",
               [send(M(type=4, x=[Xd(0, R2, 0x10)])), recv(M(rlc=2, c=[Cd(SH, 0x100)])),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)), xmem("S", SH, rep(0x77, 0x10))],
               su(extra=reg(state="Shared")), ["tls-buffer", "pointer"], flags=["StateFlags"],
               source=sc(51), scenario="51"))
    for state, allowed in (("NonSecureIpc", (1, 3)), ("NonDeviceIpc", (3,))):
        for attr in (0, 1, 3):
            if attr in allowed:
                t.append(T(I("%s-attr%d" % (state.lower(), attr)),
                           "51a: A with attribute %d on memory in state %s (a buffer the client itself received): allowed; S's mapping has state %s" % (attr, state, ST[attr]),
                           ok_flow(M(type=4, a=[Bd(R2, 0x1000, attr)]), P(type=4, a=[Bd("$a", 0x1000, attr)], rlc=0),
                                   during=[mapping("S", "$a", state=ST[attr], permission="r", data=rep(0x77, 0x10))]),
                           su(extra=reg(state=state)), RQ, flags=["StateFlags"], source="%s step 3" % S44,
                           scenario="51a"))
            else:
                t.append(T(I("%s-attr%d" % (state.lower(), attr)),
                           "51a: A with attribute %d on memory in state %s: the state lacks the flag attribute %d needs: InvalidCurrentMemory" % (attr, state, attr),
                           fail_flow(M(type=4, a=[Bd(R2, 0x1000, attr)]), "InvalidCurrentMemory"),
                           su(extra=reg(state=state)), RQ, result="invalid", flags=["StateFlags", "Broken"],
                           source="%s step 3" % S44, scenario="51a"))
    for fattr in (0, 1, 3):
        steps = [send(M(type=4, a=[Bd(B1, 0x1000, 1)])), recv(ZERO),
                 xmsg(P(type=4, a=[Bd("$a", 0x1000, 1)], rlc=0)),
                 mapping("S", "$a", state="NonSecureIpc", permission="r", data=D(1, 0x10)),
                 send(M(type=4, a=[Bd("$a", 0x1000, fattr)]), thread="S", session="$t.client",
                      comment="S forwards the buffer it received to T")]
        if fattr == 0:
            steps += [broken(thread="T", handles=["$t.server"], msg=ZERO),
                      client("InvalidCurrentMemory", thread="S"), no_ipc("T")]
        else:
            steps += [recv(ZERO, thread="T", handles=["$t.server"], comment="T receives the forwarded buffer"),
                      xmsg(P(type=4, a=[Bd("$ta", 0x1000, fattr)], rlc=0), thread="T"),
                      mapping("T", "$ta", state=ST[fattr], permission="r", data=D(1, 0x10)),
                      reply(thread="T", target="$t.server"), client("Success", thread="S"), no_ipc("T")]
        steps += [reply(), client("Success"), no_ipc("S"), c_page(B1)]
        t.append(T(I("forward-attr%d" % fattr),
                   "51a: S forwards an A it received with attribute 1 (its mapping is NonSecureIpc) to a third server T with attribute %d: %s" % (
                       fattr, "InvalidCurrentMemory for S's request" if fattr == 0 else "success; T's mapping has state %s and the client's bytes" % ST[fattr]),
                   steps,
                   su([(0x1000, D(1, 0x10))], procs=("C", "S", "T"), sessions=(("s", "S", "C"), ("t", "T", "S"))),
                   RQ, result="invalid" if fattr == 0 else "valid",
                   flags=["StateFlags", "Broken"] if fattr == 0 else ["StateFlags"],
                   source=sc("51a"), scenario="51a"))
    attr_cases = [
        ("device-shared", {"device_shared": True}, {0: False, 1: True, 3: True}),
        ("uncached", {"uncached": True}, {0: False, 1: False}),
        ("locked", {"locked": True}, {3: False}),
        ("ipc-locked", {"ipc_locked": True}, {0: True}),
        ("permission-locked", {"permission_locked": True}, {0: True}),
    ]
    for name, attrs, cases in attr_cases:
        for attr, ok in cases.items():
            tid = I("%s-attr%d" % (name, attr))
            if ok:
                t.append(T(tid,
                           "A with attribute %d on memory with the %s attribute: allowed (§4.4 step 3 attribute mask)" % (attr, name),
                           ok_flow(M(type=4, a=[Bd(R2, 0x1000, attr)]), P(type=4, a=[Bd("$a", 0x1000, attr)], rlc=0),
                                   during=[mapping("S", "$a", state=ST[attr], permission="r", data=rep(0x77, 0x10))]),
                           su(extra=reg(attributes=attrs)), RQ, flags=["AttributeMask"],
                           source="%s step 3" % S44, scenario="50"))
            else:
                t.append(T(tid,
                           "A with attribute %d on memory with the %s attribute: refused, InvalidCurrentMemory" % (attr, name),
                           fail_flow(M(type=4, a=[Bd(R2, 0x1000, attr)]), "InvalidCurrentMemory"),
                           su(extra=reg(attributes=attrs)), RQ, result="invalid", flags=["AttributeMask", "Broken"],
                           source="%s step 3" % S44, scenario="50"))
    groups.append(G("client memory checks", "State flag per attribute, permission and attribute mask of the client's range.",
                    t, source="%s step 3" % S44))

    f = FILE(tp, "Map-alias (A/B/W) buffers in requests: server mappings (page offset, contents, state, permission), client re-protection and restore, size 0, attribute 2, client memory checks per attribute.",
             ["%s §4.4" % KS, "%s §4.6, §4.7" % KS, "%s §5.2 step 13" % KS, "%s §8 #47-51a" % KS,
              "wire-format.md §1.10"],
             {
                 "Permission": "Server permission: A read-only, B and W read-write (§4.4 step 5).",
                 "Reprotect": "The client's fully covered pages are IPC-locked and re-protected during the request (A read-only, B/W no user access) and get their original permission back after the reply (§4.4 step 4, §5.2 step 13).",
                 "State": "Attribute 0/1/3 gives the server mapping state Ipc/NonSecureIpc/NonDeviceIpc (§4.4 step 1).",
                 "PageOffset": "The server address has the client address's page offset; the server address itself is randomized and bound at first sight, never asserted (§9).",
                 "ZeroSize": "Size 0: no check, no mapping, descriptor rewritten to address 0 with the same attribute (§4.4 step 2).",
                 "Attribute2": "Attribute 2 is invalid: InvalidCombination 0xE801, checked before the size (§4.4 step 1).",
                 "ClientMemory": "The client range must be mapped with user-read (A) or user read+write (B, W), else InvalidCurrentMemory 0xD401 (§4.4 step 3).",
                 "StateFlags": "The memory state must carry the IPC flag of the attribute (CanUseIpc / CanUseNonSecureIpc / CanUseNonDeviceIpc); X only needs LinearMapped (§4.4 table).",
                 "AttributeMask": "Attribute 0 refuses Locked, DeviceShared, Uncached; attributes 1 and 3 refuse Locked and Uncached; IpcLocked and PermissionLocked are always allowed (§4.4 step 3). A set-up attribute is a synthetic starting state; the vectors do not assert the attributes after the reply.",
                 "Broken": "The failing descriptor's slot ended past the server's receive-list index (all-zero header, L = 2): ReceiveListBroken 0x20401 with the out index (§4.6).",
                 "NotBroken": "The server's receive list lies beyond the failing descriptor: the server is not told (poll times out) and its header words are restored (§4.6, §4.7).",
                 "SunriseDivergence": "SunriseOS requires the middle pages to be one mapping (kernel-semantics.md §7 #38); mesosphère accepts any blocks that pass the checks.",
             }, groups)
    return emit("map-alias.json", f)


# ---------------------------------------------------------------------------------------
# map-alias-copyback.json
# ---------------------------------------------------------------------------------------

def map_alias_copyback():
    tp = "map-alias-copyback"
    I = lambda s: tp + "-" + s  # noqa: E731
    groups = []
    S5 = "%s §4.4 step 5" % KS
    S7 = "%s §5.2 step 7" % KS
    A0 = CH + 0x1100  # page + 0x100, size 0x2000: head 0x1000-0x2000, middle 0x2000, tail 0x3000
    Z16 = rep(0, 0x10)
    F16 = rep(FILL, 0x10)
    P1, P2, P3, P4, P5, P6 = (rep(v, 0x10) for v in (0x11, 0x22, 0x33, 0x44, 0x55, 0x66))
    geo_b = [(0x2000, D(0xA, 0x20))]
    geo_w = [(0x1100, D(1, 0x10)), (0x1FF0, D(2, 0x10)), (0x2000, D(0xA, 0x20)), (0x30F0, D(3, 0x10))]

    def flow(req, view, during=(), after=()):
        st = [send(req), recv(ZERO), xmsg(view)]
        st += list(during)
        st += [reply(), client("Success")]
        st += list(after)
        st.append(no_ipc("S"))
        return st

    writes = [write("S", "$m", P1, comment="S writes the first 16 bytes of the buffer (head page)"),
              write("S", "$m+0xef0", P2, comment="the last 16 bytes of the head page"),
              write("S", "$m+0xf00", P3, comment="the first 16 bytes of the middle page"),
              write("S", "$m+0x1ff0", P4, comment="the last 16 bytes of the buffer (tail page)"),
              write("S", "$m-0x100", P5, comment="outside the buffer, in the head page"),
              write("S", "$m+0x2000", P6, comment="outside the buffer, in the tail page")]

    t = []
    t.append(T(I("b-server-view"),
               "52: B at page + 0x100, 0x2000 bytes: S's head and tail partial pages are fresh pages of fill (0), in and outside the range; the fully covered middle page is shared and shows C's bytes",
               flow(M(type=4, b=[Bd(A0, 0x2000, 0)]), P(type=4, b=[Bd("$m", 0x2000, 0)], rlc=0),
                    during=[mapping("S", "$m", state="Ipc", permission="rw", page_offset=0x100, data=Z16),
                            mapping("S", "$m-0x100", data=Z16, comment="head page before the range: fill"),
                            mapping("S", "$m+0xef0", data=Z16, comment="end of the head page: fill, not C's bytes"),
                            mapping("S", "$m+0xf00", data=D(0xA, 0x20), comment="middle page: C's bytes (shared)"),
                            mapping("S", "$m+0x1f00", data=Z16, comment="tail page start: fill"),
                            mapping("S", "$m+0x1ff0", data=Z16),
                            mapping("S", "$m+0x2000", data=Z16, comment="tail page after the range: fill")]),
               su(geo_b), RQ, flags=["PartialPages", "Shared"], source=sc(52), scenario="52"))
    t.append(T(I("b-copy-back"),
               "52: S writes at the start, end of head page, start of middle page and end of the B buffer, and just outside it: the middle-page write is visible to C at once (shared); after the reply the head and tail parts are copied back, bytes outside the range are not",
               flow(M(type=4, b=[Bd(A0, 0x2000, 0)]), P(type=4, b=[Bd("$m", 0x2000, 0)], rlc=0),
                    during=writes + [xmem("C", CH + 0x2000, P3 + D(0xA, 0x20)[0x10:],
                                          comment="shared middle page: S's write already in C's memory")],
                    after=[xmem("C", A0, P1), xmem("C", CH + 0x1FF0, P2),
                           xmem("C", CH + 0x2000, P3 + D(0xA, 0x20)[0x10:]),
                           xmem("C", CH + 0x30F0, P4),
                           xmem("C", CH + 0x1000, F16, comment="where S's write before the range corresponds: not copied"),
                           xmem("C", CH + 0x10F0, F16, comment="just before the range: C's own bytes"),
                           xmem("C", CH + 0x3100, F16, comment="just after the range: C's own bytes")]),
               su(geo_b), RQ, flags=["CopyBack", "Shared"], source=sc(52), scenario="52"))
    t.append(T(I("b-unwritten-zero"),
               "52: S writes nothing into its B buffer: at the reply the head and tail parts are still copied back, so C's bytes there become the fill (0), while the shared middle page keeps C's bytes",
               flow(M(type=4, b=[Bd(A0, 0x2000, 0)]), P(type=4, b=[Bd("$m", 0x2000, 0)], rlc=0),
                    after=[xmem("C", A0, Z16), xmem("C", CH + 0x1FF0, Z16), xmem("C", CH + 0x3000, Z16),
                           xmem("C", CH + 0x30F0, Z16), xmem("C", CH + 0x2000, D(0xA, 0x20)),
                           xmem("C", CH + 0x10F0, F16), xmem("C", CH + 0x3100, F16)]),
               su(geo_b), RQ, flags=["CopyBack", "PartialPages"], source="%s, %s" % (S5, S7), scenario="52"))
    t.append(T(I("w-server-view"),
               "53: W with the same geometry: S sees C's bytes everywhere in the range (head, middle, tail) and fill outside it in the partial pages",
               flow(M(type=4, w=[Bd(A0, 0x2000, 0)]), P(type=4, w=[Bd("$m", 0x2000, 0)], rlc=0),
                    during=[mapping("S", "$m", state="Ipc", permission="rw", page_offset=0x100, data=D(1, 0x10)),
                            mapping("S", "$m+0x10", data=F16),
                            mapping("S", "$m+0xef0", data=D(2, 0x10)),
                            mapping("S", "$m+0xf00", data=D(0xA, 0x20)),
                            mapping("S", "$m+0x1ff0", data=D(3, 0x10)),
                            mapping("S", "$m-0x100", data=Z16, comment="fresh head page outside the range: fill"),
                            mapping("S", "$m+0x2000", data=Z16, comment="fresh tail page outside the range: fill")]),
               su(geo_w), RQ, flags=["PartialPages", "Shared"], source=sc(53), scenario="53"))
    t.append(T(I("w-copy-back"),
               "53: S edits the W buffer (head, middle, tail) and writes outside it: after the reply C sees S's edits including head and tail, its own bytes where S wrote nothing, and no change outside the range",
               flow(M(type=4, w=[Bd(A0, 0x2000, 0)]), P(type=4, w=[Bd("$m", 0x2000, 0)], rlc=0),
                    during=writes,
                    after=[xmem("C", A0, P1 + F16), xmem("C", CH + 0x1FF0, P2),
                           xmem("C", CH + 0x2000, P3 + D(0xA, 0x20)[0x10:]),
                           xmem("C", CH + 0x30E0, F16 + P4),
                           xmem("C", CH + 0x1000, F16), xmem("C", CH + 0x10F0, F16),
                           xmem("C", CH + 0x3100, F16)]),
               su(geo_w), RQ, flags=["CopyBack"], source=sc(53), scenario="53"))
    W1 = CH + 0x1010
    t.append(T(I("w-one-page"),
               "54: W inside one page (page + 0x10, 0x20 bytes): no page is re-protected; S writes the whole range and both sides of it in its page; after the reply only the range is copied back (head copy only)",
               flow(M(type=4, w=[Bd(W1, 0x20, 0)]), P(type=4, w=[Bd("$m", 0x20, 0)], rlc=0),
                    during=[mapping("S", "$m", page_offset=0x10, data=D(1, 0x40)[0x10:0x30]),
                            mapping("S", "$m-0x10", data=Z16), mapping("S", "$m+0x20", data=Z16),
                            mapping("C", CH + 0x1000, permission="rw", attributes=NOATTR),
                            access("C", CH + 0x1000, 0x1000, True, True),
                            write("S", "$m-0x10", rep(0x88, 0x10)), write("S", "$m", rep(0x77, 0x20)),
                            write("S", "$m+0x20", rep(0x99, 0x10))],
                    after=[xmem("C", CH + 0x1000, D(1, 0x40)[:0x10] + rep(0x77, 0x20) + D(1, 0x40)[0x30:])]),
               su([(0x1000, D(1, 0x40))]), RQ, flags=["CopyBack", "OnePage"], source=sc(54), scenario="54"))
    t.append(T(I("b-one-page"),
               "B inside one page (page + 0x10, 0x20 bytes): S sees fill; S writes nothing; after the reply C's 0x20 bytes are the fill (0) and its bytes around them unchanged",
               flow(M(type=4, b=[Bd(W1, 0x20, 0)]), P(type=4, b=[Bd("$m", 0x20, 0)], rlc=0),
                    during=[mapping("S", "$m", page_offset=0x10, data=rep(0, 0x20))],
                    after=[xmem("C", CH + 0x1000, D(1, 0x40)[:0x10] + rep(0, 0x20) + D(1, 0x40)[0x30:])]),
               su([(0x1000, D(1, 0x40))]), RQ, flags=["CopyBack", "OnePage", "PartialPages"], source=S7,
               scenario="54"))
    t.append(T(I("b-tail-only"),
               "B at a page boundary, 0x1800 bytes: the first page is shared (C's bytes), the tail page fresh; after the reply only the tail part (0x800 bytes) is copied back",
               flow(M(type=4, b=[Bd(CH + 0x1000, 0x1800, 0)]), P(type=4, b=[Bd("$m", 0x1800, 0)], rlc=0),
                    during=[mapping("S", "$m", page_offset=0, data=D(1, 0x10)),
                            mapping("S", "$m+0x1000", data=Z16), mapping("S", "$m+0x17f0", data=Z16),
                            access("C", CH + 0x1000, 0x1000, False, False),
                            access("C", CH + 0x2000, 0x1000, True, True),
                            write("S", "$m+0x17f0", rep(0xAB, 0x10)), write("S", "$m+0x1800", rep(0xCD, 0x10))],
                    after=[xmem("C", CH + 0x1000, D(1, 0x10)), xmem("C", CH + 0x2000, Z16),
                           xmem("C", CH + 0x27F0, rep(0xAB, 0x10)), xmem("C", CH + 0x2800, F16)]),
               su([(0x1000, D(1, 0x10))]), RQ, flags=["CopyBack", "PartialPages"], source=S7, scenario="52"))
    t.append(T(I("b-head-only"),
               "B at page + 0x800 ending on a page boundary (0x800 bytes): one partial page, head copy only",
               flow(M(type=4, b=[Bd(CH + 0x1800, 0x800, 0)]), P(type=4, b=[Bd("$m", 0x800, 0)], rlc=0),
                    during=[mapping("S", "$m", page_offset=0x800, data=Z16),
                            access("C", CH + 0x1000, 0x1000, True, True),
                            write("S", "$m", rep(0xAB, 0x10)), write("S", "$m-0x10", rep(0xCD, 0x10))],
                    after=[xmem("C", CH + 0x17F0, F16 + rep(0xAB, 0x10) + Z16), xmem("C", CH + 0x2000, F16)]),
               su(), RQ, flags=["CopyBack", "PartialPages"], source=S7, scenario="52"))
    t.append(T(I("b-two-partial-pages"),
               "B at page + 0x800, 0x1000 bytes: two partial pages and no full page: nothing re-protected; head and tail both copied back",
               flow(M(type=4, b=[Bd(CH + 0x1800, 0x1000, 0)]), P(type=4, b=[Bd("$m", 0x1000, 0)], rlc=0),
                    during=[access("C", CH + 0x1000, 0x2000, True, True),
                            write("S", "$m", rep(0xAB, 0x10)), write("S", "$m+0xff0", rep(0xCD, 0x10))],
                    after=[xmem("C", CH + 0x17F0, F16 + rep(0xAB, 0x10)),
                           xmem("C", CH + 0x27F0, rep(0xCD, 0x10) + F16),
                           xmem("C", CH + 0x2000, Z16, comment="tail bytes S did not write: fill")]),
               su(), RQ, flags=["CopyBack", "PartialPages"], source=S7, scenario="52"))
    t.append(T(I("a-fresh-partial"),
               "A at page + 0x100, 0x2000 bytes: S's head page holds C's bytes in the range and fill before it (a fresh page, not C's page); C's memory is unchanged after the reply (A is never copied back)",
               flow(M(type=4, a=[Bd(A0, 0x2000, 0)]), P(type=4, a=[Bd("$m", 0x2000, 0)], rlc=0),
                    during=[mapping("S", "$m", page_offset=0x100, data=D(1, 0x10)),
                            mapping("S", "$m-0x100", data=Z16), mapping("S", "$m+0x2000", data=Z16)],
                    after=[xmem("C", CH + 0x10F0, F16 + D(1, 0x10)), xmem("C", CH + 0x30F0, D(3, 0x10) + F16)]),
               su(geo_w), RQ, flags=["PartialPages"], source=S5, scenario="52"))
    t.append(T(I("b-head-page-relent-no-copy-back"),
               "Two B buffers of one request: the first (page + 0x800, 0x400 bytes) lies in one partial page, the second covers that same page fully, so the page loses its user permission (§4.4 step 4); at the reply the first buffer's head copy finds a client range without user read+write: C gets InvalidCurrentMemory, its bytes there are not overwritten, and its page has its permission back",
               [send(M(type=4, b=[Bd(CH + 0x1800, 0x400, 0), Bd(CH + 0x1000, 0x1000, 0)])), recv(ZERO),
                xmsg(P(type=4, b=[Bd("$m", 0x400, 0), Bd("$n", 0x1000, 0)], rlc=0)),
                mapping("C", CH + 0x1000, state="Normal", permission="none", attributes=IPCLOCKED,
                        comment="the page is fully covered by the second B: no user access while lent"),
                write("S", "$m", rep(0xAB, 0x10), comment="S writes into the first buffer's fresh page"),
                reply(), client("InvalidCurrentMemory"), no_ipc("S"),
                xmem("C", CH + 0x1800, F16, comment="the head copy was refused: C's bytes unchanged"),
                c_page(CH + 0x1000)],
               su(), RQ, result="invalid", flags=["CopyBack"], source="%s (user read+write, else 0xD401); %s step 4" % (S7, S44),
               scenario="52"))
    t.append(T(I("b-aligned-within-page"),
               "B at a page boundary, 0x800 bytes (one partial page, the start aligned): S writes the last 16 bytes of the buffer and the 16 after it; after the reply the tail copy brings back the buffer's 0x800 bytes and nothing after them",
               flow(M(type=4, b=[Bd(CH + 0x1000, 0x800, 0)]), P(type=4, b=[Bd("$m", 0x800, 0)], rlc=0),
                    during=[mapping("S", "$m", page_offset=0, data=Z16),
                            write("S", "$m+0x7f0", rep(0xAB, 0x10)), write("S", "$m+0x800", rep(0xCD, 0x10))],
                    after=[xmem("C", CH + 0x1000, Z16, comment="bytes S did not write: fill"),
                           xmem("C", CH + 0x17F0, rep(0xAB, 0x10) + F16)]),
               su(), RQ, flags=["CopyBack", "PartialPages"], source="%s (tail: the start is page-aligned)" % S7,
               scenario="52"))
    t.append(T(I("a-read-only-not-copied-back"),
               "A at page + 0x100, 0x2000 bytes, on read-only memory (an A needs only read permission): the reply succeeds, as A buffers are never copied back (a copy would need write permission), and C's bytes are unchanged",
               flow(M(type=4, a=[Bd(A0, 0x2000, 0)]), P(type=4, a=[Bd("$m", 0x2000, 0)], rlc=0),
                    during=[mapping("S", "$m", state="Ipc", permission="r", page_offset=0x100, data=D(1, 0x10))],
                    after=[xmem("C", A0, D(1, 0x10)), xmem("C", CH + 0x30F0, D(3, 0x10) + F16)]),
               SU(memory=[mem("C", CH, 0x6000, permission="r", fill=FILL, contents=geo_w),
                          mem("S", SH, 0x2000, fill=0xEE)]),
               RQ, flags=["PartialPages"], source="%s (A buffers are never copied back)" % S7, scenario="52"))
    groups.append(G("partial pages and copy-back", "Fresh partial pages (fill for B, client bytes for A/W), shared full pages, copy-back of B/W head and tail at the reply.",
                    t, source=S5))

    t = []
    t.append(T(I("b-access"),
               "55: during a B request (page + 0x100, 0x2000 bytes) C's fully covered page cannot be read or written by any thread of C; its partial head and tail pages stay accessible; all accessible after the reply",
               flow(M(type=4, b=[Bd(A0, 0x2000, 0)]), P(type=4, b=[Bd("$m", 0x2000, 0)], rlc=0),
                    during=[access("C", CH + 0x2000, 0x1000, False, False),
                            access("C", CH + 0x2000, 1, True, False),
                            access("C", CH + 0x1000, 0x1000, True, True),
                            access("C", CH + 0x3000, 0x1000, True, True)],
                    after=[access("C", CH + 0x1000, 0x3000, True, True)]),
               su(geo_b), ["tls-buffer", "map-alias", "memory-query"], flags=["Access"], source=sc(55), scenario="55"))
    t.append(T(I("w-access"),
               "During a W request C's fully covered page is inaccessible, its partial pages accessible",
               flow(M(type=4, w=[Bd(A0, 0x2000, 0)]), P(type=4, w=[Bd("$m", 0x2000, 0)], rlc=0),
                    during=[access("C", CH + 0x2000, 0x1000, False, False),
                            access("C", CH + 0x1000, 0x1000, True, True),
                            access("C", CH + 0x3000, 0x1000, True, True)]),
               su(geo_w), RQ, flags=["Access"], source="%s §4.4 step 4" % KS, scenario="55"))
    two = dict(threads=[("C2", "C")], sessions=(("s", "S", "C"), ("t", "S", "C")))

    def other(kind, xaddr, ok, data=None):
        st = [send(M(type=4, **{kind: [Bd(A0, 0x2000, 0)]}), comment="C lends the buffer and blocks"),
              recv(ZERO), xmsg(P(type=4, rlc=0, **{kind: [Bd("$m", 0x2000, 0)]})),
              send(M(type=4, x=[Xd(0, xaddr, 0x10)]), thread="C2", session="$t.client",
                   comment="another thread of C sends an X reading C's memory on a second session")]
        if ok:
            st += [recv(M(rlc=2, c=[Cd(SH, 0x100)]), handles=["$t.server"]),
                   xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)), xmem("S", SH, data),
                   reply(target="$t.server"), client("Success", thread="C2")]
        else:
            st += [broken(msg=M(rlc=2, c=[Cd(SH, 0x100)]), handles=["$t.server"]),
                   client("InvalidCurrentMemory", thread="C2")]
        st += [reply(), client("Success"), no_ipc("S")]
        return st

    t.append(T(I("b-other-thread-middle"),
               "55: while C's B buffer is lent, thread C2 sends an X whose source is the fully covered page: no user permission there, InvalidCurrentMemory",
               other("b", CH + 0x2000, False), su(geo_b, **two),
               RQ + ["threads", "pointer"], result="invalid", flags=["Access", "Broken"], source=sc(55), scenario="55"))
    t.append(T(I("b-other-thread-head"),
               "55: the same X from C2 reading C's partial head page (inside the B range) succeeds and reads C's own bytes",
               other("b", A0, True, F16), su(geo_b, **two),
               RQ + ["threads", "pointer"], flags=["Access"], source=sc(55), scenario="55"))
    t.append(T(I("a-other-thread-middle"),
               "While C's A buffer is lent its fully covered page is only read-only: C2's X reading it succeeds",
               other("a", CH + 0x2000, True, D(0xA, 0x10)), su(geo_w, **two),
               RQ + ["threads", "pointer"], flags=["Access"], source="%s §4.4 step 4" % KS, scenario="55"))
    groups.append(G("client access during the request", "What the client's other threads can touch while a buffer is lent.",
                    t, source="%s §4.4 step 4" % KS))

    f = FILE(tp, "Map-alias partial pages and copy-back: fresh head/tail pages (fill for B, client bytes for A/W), shared full pages, copy-back of B/W at the reply, client access while lent.",
             ["%s §4.4 steps 4-5" % KS, "%s §5.2 steps 7, 13" % KS, "%s §8 #52-55" % KS],
             {
                 "PartialPages": "A partial head or tail page is a fresh server page: for B entirely the fill value, for A and W the client's bytes in the range and fill elsewhere. The fill is 0x00 (the debug fill 0x59 is not modelled; §4.4 step 5).",
                 "Shared": "Fully covered pages are the client's own physical pages: the server sees the client's bytes (even for B) and its writes are visible to the client at once, read as a debugger would.",
                 "CopyBack": "At the reply, B and W head and tail parts are copied from the server pages to the client (only the range, §5.2 step 7); bytes of the range the server did not write come back as they were in the server page (fill for B).",
                 "OnePage": "The buffer lies inside one page: only the head copy happens and no client page is re-protected.",
                 "Access": "A fully covered B/W page has no user permission in the client while lent (A: read-only), whichever thread touches it; partial pages are untouched (§4.4 step 4).",
                 "Broken": "The failing X slot ended past the server's receive-list index: ReceiveListBroken 0x20401 (§4.6).",
             }, groups)
    return emit("map-alias-copyback.json", f)


# ---------------------------------------------------------------------------------------
# map-alias-errors.json
# ---------------------------------------------------------------------------------------

def map_alias_errors():
    tp = "map-alias-errors"
    I = lambda s: tp + "-" + s  # noqa: E731
    groups = []
    B1 = CH + 0x1000
    AR = RQ + ["alias-region-size"]

    t = []
    t.append(T(I("alias-size-equal"),
               "56: S's alias region is 0x10000 bytes; an A of exactly 0x10000 bytes (size ≥ region size) fails with OutOfAddressSpace",
               fail_flow(M(type=4, a=[Bd(CH, 0x10000, 0)]), "OutOfAddressSpace", after=[c_page(CH)]),
               su(c_size=0x10000, alias={"S": 0x10000}), AR, result="invalid", flags=["AddressSpace", "Broken"],
               source=sc(56), scenario="56"))
    t.append(T(I("alias-size-larger"),
               "56: an A of 0x20000 bytes with a 0x10000-byte alias region: OutOfAddressSpace",
               fail_flow(M(type=4, a=[Bd(CH, 0x20000, 0)]), "OutOfAddressSpace"),
               su(c_size=0x20000, alias={"S": 0x10000}), AR, result="invalid", flags=["AddressSpace", "Broken"],
               source=sc(56), scenario="56"))
    t.append(T(I("alias-full"),
               "56: alias region of 0x100000 bytes (256 pages); two A of 0x90000 bytes (144 pages each): the first fits wherever it is placed, the second cannot (at most 112 pages remain): OutOfAddressSpace, and the first one's mapping is undone",
               fail_flow(M(type=4, a=[Bd(CH, 0x90000, 0), Bd(CH + 0x90000, 0x90000, 0)]), "OutOfAddressSpace",
                         after=[c_page(CH), c_page(CH + 0x8F000)]),
               su(c_size=0x120000, alias={"S": 0x100000}), AR, result="invalid",
               flags=["AddressSpace", "Rollback", "Broken"], source=sc(56), scenario="56"))
    t.append(T(I("state-before-space"),
               "An A that is too large for S's alias region and lies on Shared memory: the client-side check runs first, InvalidCurrentMemory",
               fail_flow(M(type=4, a=[Bd(CH, 0x10000, 0)]), "InvalidCurrentMemory"),
               SU(memory=[mem("C", CH, 0x10000, state="Shared")], alias={"S": 0x10000}), AR, result="invalid",
               flags=["AddressSpace", "Broken"], source="%s §4.4 step 6" % KS, scenario="56"))
    t.append(T(I("size-above-4gib"),
               "An A of 0x100001000 bytes (size bits 32..35 in word 2 set) at C's heap, of which only 0x6000 bytes exist: the kernel reads all 36 size bits, so the range runs far past C's memory: InvalidCurrentMemory",
               fail_flow(M(type=4, a=[Bd(CH, 0x100001000, 0)]), "InvalidCurrentMemory", after=[c_page(CH)]),
               su(), RQ, result="invalid", flags=["Broken"],
               source="%s §2.6 (size bits 32..35 in word 2); %s step 3" % (KS, S44), scenario="56"))
    t.append(T(I("alias-guard-pages"),
               "S's alias region is 16 pages (0x10000 bytes); an A of 15 pages (0xf000 bytes, page-aligned) is smaller than the region but cannot be mapped with a guard page on each side: OutOfAddressSpace",
               fail_flow(M(type=4, a=[Bd(CH, 0xF000, 0)]), "OutOfAddressSpace", after=[c_page(CH)]),
               su(c_size=0x10000, alias={"S": 0x10000}), AR, result="invalid", flags=["AddressSpace", "Broken"],
               source="%s §4.4 step 5 (with guard pages), step 6" % KS, scenario="56"))
    t.append(T(I("alias-guard-pages-fit"),
               "S's alias region is 16 pages; an A of 14 pages (0xe000 bytes) fits with a guard page on each side: S sees C's bytes",
               ok_flow(M(type=4, a=[Bd(CH, 0xE000, 0)]), P(type=4, a=[Bd("$a", 0xE000, 0)], rlc=0),
                       during=[mapping("S", "$a", state="Ipc", permission="r", page_offset=0, data=D(1, 0x10)),
                               mapping("S", "$a+0xdff0", data=D(2, 0x10))]),
               su([(0, D(1, 0x10)), (0xDFF0, D(2, 0x10))], c_size=0x10000, alias={"S": 0x10000}), AR,
               flags=["AddressSpace"], source="%s §4.4 step 5 (with guard pages)" % KS, scenario="56"))
    groups.append(G("alias region", "OutOfAddressSpace when the server's alias region cannot hold the buffer.", t,
                    source="%s §4.4 step 6" % KS))

    t = []

    def reply_bad(desc, extra_during=(), after=()):
        st = [send(M(type=4, a=[Bd(B1, 0x1000, 0)], raw=[1])), recv(ZERO),
              xmsg(P(type=4, a=[Bd("$a", 0x1000, 0)], raw=[1], rlc=0))]
        st += list(extra_during)
        st += [reply(M(**desc), comment="S's reply carries a map-alias descriptor; its reply half still succeeds"),
               client("InvalidCombination"), no_ipc("S", comment="the request's mappings are undone"),
               c_page(B1)]
        st += list(after)
        return st

    C_WORDS = [0x00100004, 1]  # C's request header (tag 4, one A; RawCount 1), untouched (§5.4)
    for kind, size in (("a", 0x1000), ("b", 0x1000), ("w", 0x1000), ("a", 0)):
        name = "reply-%s%s" % (kind, "-size0" if size == 0 else "")
        t.append(T(I(name),
                   "57: S's reply contains one %s descriptor%s: C gets InvalidCombination, S's reply half returns success, C's request mapping is undone and C's buffer untouched" % (
                       kind.upper(), " of size 0 (the count alone is refused)" if size == 0 else ""),
                   reply_bad({kind: [Bd(SH, size, 0)]}, after=[words(C_WORDS, thread="C")]),
                   su(), RQ, result="invalid", flags=["ReplyMapAlias", "Rollback"], source=sc(57), scenario="57"))
    A0 = CH + 0x1100
    t.append(T(I("reply-no-copy-back"),
               "57 with a B request (page + 0x100, 0x2000 bytes): S writes into the head and middle pages, then replies with an A descriptor: the reply fails before the copy-back step, so C's head bytes are unchanged, but the shared middle page carries S's write",
               [send(M(type=4, b=[Bd(A0, 0x2000, 0)])), recv(ZERO),
                xmsg(P(type=4, b=[Bd("$b", 0x2000, 0)], rlc=0)),
                write("S", "$b", rep(0x11, 0x10)), write("S", "$b+0xf00", rep(0x33, 0x10)),
                reply(M(a=[Bd(SH, 0x1000, 0)])), client("InvalidCombination"), no_ipc("S"),
                xmem("C", A0, rep(FILL, 0x10), comment="head not copied back (failure at step 5, before step 7)"),
                xmem("C", CH + 0x2000, rep(0x33, 0x10), comment="shared middle page carries S's write"),
                c_page(CH + 0x2000)],
               su(), RQ, result="invalid", flags=["ReplyMapAlias", "Rollback"], source="%s §5.2 steps 5, 7, §5.4" % KS,
               scenario="57"))
    def relent(size, lent, comment, mappings, first=None, finish=None):
        """S receives C's B buffer of `size` bytes (sent by `first`, a synchronous send
        by default) and S2 lends `lent` (an offset into S's mapping) of it on as a
        0x1000-byte A to T, which receives it; then `finish`, by default S's reply,
        whose step 13 finds the lent page IPC-locked."""
        first = first or send(M(type=4, b=[Bd(B1, size, 0)]))
        finish = finish or [reply(), client("InvalidCurrentMemory")]
        return ([first, recv(ZERO),
                 xmsg(P(type=4, b=[Bd("$m", size, 0)], rlc=0)),
                 send(M(type=4, a=[Bd(lent, 0x1000, 0)]), thread="S2", session="$t.client",
                      comment=comment),
                 recv(ZERO, thread="T", handles=["$t.server"]),
                 xmsg(P(type=4, a=[Bd("$n", 0x1000, 0)], rlc=0), thread="T")]
                + mappings + finish)

    relent_setup = su(procs=("C", "S", "T"), threads=[("S2", "S")], sessions=(("s", "S", "C"), ("t", "T", "S")))
    t.append(T(I("reply-server-range-relent"),
               "S receives C's B buffer (0x1000 bytes) and, from its second thread S2, lends that mapping on as an A buffer to T, which receives it: S's range is now IPC-locked. S then replies to C: the unmap of step 13 finds the range with an attribute, so C gets InvalidCurrentMemory",
               relent(0x1000, "$m", "S2 lends S's alias mapping on to T",
                      [mapping("S", "$m", state="Ipc", permission="r", attributes=IPCLOCKED,
                               comment="S's range, lent as an A: read-only and IPC-locked")]),
               relent_setup, RQ + ["threads"], result="invalid", flags=["Rollback"],
               source="%s §5.2 step 13 (the server range must be in the IPC state, user-readable, with no attribute, else 0xD401)" % KS,
               scenario="57"))
    t.append(T(I("reply-server-range-relent-second-page"),
               "As reply-server-range-relent, but C's B buffer is two pages and S2 lends on only the second page of S's mapping: the unmap of step 13 checks the whole server range, so the second page's attribute fails it and C gets InvalidCurrentMemory",
               relent(0x2000, "$m+0x1000", "S2 lends the second page of S's alias mapping on to T",
                      [mapping("S", "$m", state="Ipc", permission="rw",
                               comment="S's first page: as received, not lent on"),
                       mapping("S", "$m+0x1000", state="Ipc", permission="r", attributes=IPCLOCKED,
                               comment="S's second page, lent as an A: read-only and IPC-locked")]),
               relent_setup, RQ + ["threads"], result="invalid", flags=["Rollback"],
               source="%s §5.2 step 13 (the whole server range must be in the IPC state, user-readable, with no attribute, else 0xD401)" % KS,
               scenario="57"))
    lent_on = [mapping("S", "$m", state="Ipc", permission="r", attributes=IPCLOCKED,
                       comment="S's range, lent as an A: read-only and IPC-locked")]
    t.append(T(I("close-server-range-relent"),
               "As reply-server-range-relent, but S closes its session instead of replying: undoing the mapping fails at the same check, so C is woken with the cleanup's failure code, InvalidCurrentMemory, instead of SessionClosed",
               relent(0x1000, "$m", "S2 lends S's alias mapping on to T", lent_on, finish=[
                   close("S", "$s.server", comment="S closes its end with C's request current"),
                   client("InvalidCurrentMemory", comment="C gets the cleanup's failure code (§6.4)")]),
               relent_setup, RQ + ["threads", "session-close"], result="invalid", flags=["Rollback"],
               source="%s §6.4 (server end closed: the client is woken with SessionClosed, or with the cleanup's failure code if undoing failed); §5.2 step 13" % KS))
    async_setup = su(procs=("C", "S", "T"), threads=[("S2", "S")], sessions=(("s", "S", "C"), ("t", "T", "S")),
                     extra=[mem("C", ASYNC_BUFFER, 0x1000)])
    t.append(T(I("close-client-reply-range-relent"),
               "C sends its B buffer asynchronously; S receives it and S2 lends S's mapping on to T; C closes its end; S's reply takes the closed path, whose cleanup fails at the lent range: S's reply half succeeds, and the failure code goes to C: a null header and InvalidCurrentMemory in C's buffer, its event signaled",
               relent(0x1000, "$m", "S2 lends S's alias mapping on to T", lent_on, first=send_async(
                   M(type=4, b=[Bd(B1, 0x1000, 0)]), ub(ASYNC_BUFFER, 0x1000),
                   comment="C sends its B buffer asynchronously"), finish=[
                   close("C", "$s.client", comment="C closes its end with its request current"),
                   reply(comment="S replies: the closed path; its cleanup fails, so S gets success (the "
                         "reply-only call then times out)"),
                   xevent("C", "$aev", True, comment="C's request is completed: its event is signaled"),
                   words([0, 0, 0xD401], thread="C", buffer=ub(ASYNC_BUFFER, 0x1000),
                         comment="the failure code reaches C: a null header and InvalidCurrentMemory (§6.6)")]),
               async_setup, ["threads", "session-close", "user-buffer", "async"], result="invalid",
               flags=["Rollback"],
               source="%s §6.4 (server replies after the client closed: if a cleanup fails, the server gets success and the failure code goes to the client); §6.6" % KS))
    groups.append(G("map-alias in a reply", "Replies may not carry A/B/W: InvalidCombination to the client, success to the server, mappings undone.",
                    t, source="%s §5.2 step 5" % KS))

    t = []
    R2 = CH + 0x10000
    ro = [mem("C", R2, 0x1000, permission="r", fill=0x77)]
    t.append(T(I("rollback-a-then-bad-b"),
               "58: a valid A followed by a B on read-only memory: InvalidCurrentMemory; S has no mapping left and C's A page has its original permission again",
               fail_flow(M(type=4, a=[Bd(B1, 0x1000, 0)], b=[Bd(R2, 0x1000, 0)]), "InvalidCurrentMemory",
                         after=[c_page(B1), c_page(R2, "r"), access("C", B1, 0x1000, True, True)]),
               su(extra=ro), RQ, result="invalid", flags=["Rollback", "Broken"], source=sc(58), scenario="58"))
    t.append(T(I("rollback-a-b-then-bad-w"),
               "A and B valid, then a W on unmapped memory: InvalidCurrentMemory; both earlier mappings undone and C's pages restored",
               fail_flow(M(type=4, a=[Bd(B1, 0x1000, 0)], b=[Bd(CH + 0x2000, 0x1000, 1)], w=[Bd(UNMAPPED, 0x1000, 0)]),
                         "InvalidCurrentMemory",
                         after=[c_page(B1), c_page(CH + 0x2000), access("C", CH + 0x2000, 0x1000, True, True)]),
               su(), RQ, result="invalid", flags=["Rollback", "Broken"], source="%s §4.7, §4.8" % KS, scenario="58"))
    t.append(T(I("rollback-a-then-attr2"),
               "A valid, then a B with attribute 2: InvalidCombination; the A mapping is undone",
               fail_flow(M(type=4, a=[Bd(B1, 0x1000, 0)], b=[Bd(CH + 0x2000, 0x1000, 2)]), "InvalidCombination",
                         after=[c_page(B1)]),
               su(), RQ, result="invalid", flags=["Rollback", "Broken"], source="%s §4.4 step 1, §4.8" % KS,
               scenario="58"))
    t.append(T(I("rollback-not-broken"),
               "58 with S's list at word 60: the failure is not broken, S keeps waiting with its header restored; the A mapping is undone",
               fail_flow(M(type=4, a=[Bd(B1, 0x1000, 0)], b=[Bd(R2, 0x1000, 0)]), "InvalidCurrentMemory",
                         broken_=False, s_msg=M(rlo=60), after=[c_page(B1), words([0, 0x03C00000])]),
               su(extra=ro), RQ + ["receive-list-offset"], result="invalid", flags=["Rollback", "NotBroken"],
               source="%s §4.6-4.8" % KS, scenario="58"))
    for lidx, is_broken in ((5, False), (4, True)):
        if is_broken:
            steps = fail_flow(M(type=4, a=[Bd(UNMAPPED, 0x1000, 0)]), "InvalidCurrentMemory", s_msg=M(rlo=lidx))
        else:
            steps = fail_flow(M(type=4, a=[Bd(UNMAPPED, 0x1000, 0)]), "InvalidCurrentMemory", broken_=False,
                              s_msg=M(rlo=lidx), after=[words([0, lidx << 20], comment="header words restored")])
        t.append(T(I("broken-boundary-offset-%d" % lidx),
                   "S's receive list starts at word %d (ReceiveListOffset %d); C's only descriptor, an A on unmapped memory (words 2..4, cursor 5), fails: %s" % (
                       lidx, lidx, "the cursor passed L, so S gets ReceiveListBroken" if is_broken
                       else "cursor 5 is not > L = 5, so S keeps waiting with its header restored"),
                   steps, su(), RQ + ["receive-list-offset"], result="invalid",
                   flags=["Broken"] if is_broken else ["NotBroken"],
                   source="%s §4.6 (broken when the cursor > L, after the map-alias step too)" % KS, scenario="58"))
    groups.append(G("rollback", "A failing descriptor undoes every mapping made for the request.", t, source="%s §4.7, §4.8" % KS))

    t = []

    def many(kinds):
        """kinds: list of 'a'/'b'/'w' per descriptor; descriptor i on page CH + 0x1000*i."""
        req = {"a": [], "b": [], "w": []}
        view = {"a": [], "b": [], "w": []}
        checks = []
        for i, k in enumerate(kinds):
            req[k].append(Bd(CH + 0x1000 * i, 0x1000, 0))
            sym = "$m%d" % i
            view[k].append(Bd(sym, 0x1000, 0))
            checks.append(mapping("S", sym, state="Ipc", permission="r" if k == "a" else "rw",
                                  page_offset=0, data=D(i + 1, 0x10)))
        contents = [(0x1000 * i, D(i + 1, 0x10)) for i in range(len(kinds))]
        return req, view, checks, contents

    for n in (9, 15):
        req, view, checks, contents = many(["a"] * n)
        t.append(T(I("a-%d" % n),
                   "%s%d A descriptors of one page each: all mapped (more than the 8 inline mapping records), each with the client's bytes; all undone after the reply" % ("59: " if n == 9 else "", n),
                   ok_flow(M(type=4, **req), P(type=4, rlc=0, **view), during=checks,
                           after=[c_page(CH + 0x1000 * i) for i in range(n)]),
                   su(contents, c_size=0x10000), RQ, flags=["ManyMappings"], source=sc(59), scenario="59"))
    kinds = ["a"] * 3 + ["b"] * 3 + ["w"] * 3
    req, view, checks, contents = many(kinds)
    t.append(T(I("mixed-9"),
               "3 A, 3 B and 3 W descriptors (9 mappings): all mapped with their permissions; all undone after the reply",
               ok_flow(M(type=4, **req), P(type=4, rlc=0, **view), during=checks,
                       after=[c_page(CH + 0x1000 * i) for i in range(9)]),
               su(contents, c_size=0x10000), RQ, flags=["ManyMappings"], source=sc(59), scenario="59"))
    req, view, checks, contents = many(["a"] * 9)
    req["b"] = [Bd(R2, 0x1000, 0)]
    t.append(T(I("rollback-after-nine"),
               "9 valid A descriptors followed by a B on read-only memory: InvalidCurrentMemory; all 9 mappings undone",
               fail_flow(M(type=4, **req), "InvalidCurrentMemory",
                         after=[c_page(CH + 0x1000 * i) for i in range(9)]),
               su(contents, c_size=0x10000, extra=ro), RQ, result="invalid",
               flags=["ManyMappings", "Rollback", "Broken"], source="%s §4.7, §8 #58-59" % KS, scenario="59"))
    groups.append(G("many descriptors", "Mapping records beyond the 8 kept inline.", t, source=sc(59)))

    f = FILE(tp, "Map-alias failures: OutOfAddressSpace, map-alias descriptors in replies, rollback of earlier mappings, and many descriptors.",
             ["%s §4.4 step 6" % KS, "%s §4.6-4.8" % KS, "%s §5.2 steps 5, 7, 13, §5.4" % KS, "%s §8 #56-59" % KS],
             {
                 "AddressSpace": "The server's alias region cannot hold the buffer: OutOfAddressSpace 0x20601; client-side checks come first (§4.4 step 6). Only sizes whose outcome does not depend on guard pages or random placement are used.",
                 "ReplyMapAlias": "A reply with a non-zero A, B or W count: InvalidCombination 0xE801 to the client (§5.2 step 5); the server's reply half succeeds (§5.3).",
                 "Rollback": "Every mapping made for the request is undone: no server IPC mapping left, client pages back to their permission without IPC lock (§4.7, §4.8, §5.4).",
                 "Broken": "The failing descriptor's slot ended past the server's receive-list index: ReceiveListBroken 0x20401 (§4.6).",
                 "NotBroken": "The server's receive list lies beyond the failing descriptor: the server is not told and its header words are restored (§4.6, §4.7).",
                 "ManyMappings": "More than 8 mappings in one request need dynamically allocated records (§8 #59); allocation failure is not tested (§9).",
             }, groups)
    return emit("map-alias-errors.json", f)


if __name__ == "__main__":
    total = map_alias() + map_alias_copyback() + map_alias_errors()
    print("total", total)
