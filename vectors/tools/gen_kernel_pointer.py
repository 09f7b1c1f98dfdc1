#!/usr/bin/env python3
"""Builds vectors/kernel/pointer-*.json: X descriptors and receive lists (C).

Every expectation below is written out by hand from kernel-semantics.md §3 (receive
lists), §4.3-4.8 (request translation), §5 (reply translation) and §8 (scenarios
28-46d). Nothing is computed by simulating a kernel: the helpers only spell JSON and
the byte strings that the set-up itself writes (D(seed, n)), so that an expected
memory image reads as "the client's bytes D(1, 0x10), then the server's untouched
0xee fill".

Run: python3 vectors/tools/gen_kernel_pointer.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pm_common import *  # noqa: E402,F401,F403

S32 = "%s §3.2" % KS
S31 = "%s §3.1" % KS
S46 = "%s §4.6" % KS


def sc(n):
    return "%s §8 #%s" % (KS, n)


# ---------------------------------------------------------------------------------------
# Shared set-up pieces
# ---------------------------------------------------------------------------------------

def src_x(sizes, indices=None, base=CH):
    """X descriptors for sizes[i] at base + 0x100*i (index indices[i], default i), and
    the client contents D(i+1, size) there. Returns (xs, contents, datas)."""
    xs, contents, datas = [], [], []
    for i, s in enumerate(sizes):
        idx = indices[i] if indices else i
        addr = base + 0x100 * i
        xs.append(Xd(idx, addr, s))
        d = D(i + 1, s)
        datas.append(d)
        if s:
            contents.append((addr - CH, d))
    return xs, contents, datas


def setup_cs(c_contents=(), c_fill=None, c_size=0x2000, s_fill=0xEE, extra=(), threads=(),
             sessions=(("s", "S", "C"),), events=()):
    memory = [mem("C", CH, c_size, fill=c_fill, contents=c_contents),
              mem("S", SH, 0x2000, fill=s_fill)]
    memory += list(extra)
    return SU(memory=memory, threads=threads, sessions=sessions, events=events)


REQ_RAW = [0x11111111, 0x22222222]


def fail_steps(req, s_msg, result, s_buffer=None, broken_=True, c_buffer=None):
    """Client request that fails while being received; the server's receive reports
    ReceiveListBroken (broken_) or keeps waiting."""
    st = [send(req, buffer=c_buffer, comment="C sends its request and blocks")]
    if broken_:
        st.append(broken(msg=s_msg, buffer=s_buffer))
    else:
        st.append(poll(msg=s_msg, buffer=s_buffer,
                       comment="S prepares its buffer; the failed request is swallowed (NotFound) and the poll times out"))
    st.append(client(result, comment="C's SendSyncRequest fails with the translation error (§4.6)"))
    if broken_:
        st.append(poll(comment="S keeps waiting: nothing else is queued"))
    return st


# ---------------------------------------------------------------------------------------
# pointer-modes.json
# ---------------------------------------------------------------------------------------

def pointer_modes():
    tp = "pointer-modes"
    I = lambda s: tp + "-" + s  # noqa: E731
    groups = []
    ptr = ["tls-buffer", "pointer"]
    m1 = ["tls-buffer", "pointer-to-message-buffer"]
    idxr = ["tls-buffer", "pointer-indexed"]

    # ---- mode 0 ----
    t = []
    t.append(T(I("m0-size0"),
               "Receive-list mode 0 (none): X descriptors of size 0 need no buffer; S sees them rebuilt with address 0, size 0 and their own index, even when the client gave an address",
               [send(M(type=4, x=[Xd(5, CH, 0), Xd(3, 0, 0)], raw=REQ_RAW)),
                recv(ZERO),
                xmsg(P(type=4, x=[Xd(5, 0, 0), Xd(3, 0, 0)], raw=REQ_RAW, rlc=0),
                     comment="both descriptors: address 0, size 0, index preserved")],
               setup_cs(), ptr, flags=["ZeroSize"], source=sc(29), scenario="29"))
    t.append(T(I("m0-size16"),
               "Mode 0: one X of size 0x10 has no receive buffer: the client gets OutOfResource; S's header is all zero (L = 2) so the X slot overwrote its receive-list position and S gets ReceiveListBroken",
               fail_steps(M(type=4, x=src_x([0x10])[0], raw=REQ_RAW), ZERO, "OutOfResource"),
               setup_cs(src_x([0x10])[1]), ptr, result="invalid", flags=["NoBuffer", "Broken"],
               source=sc(28), scenario="28"))
    t.append(T(I("m0-size1"),
               "Mode 0: even a 1-byte X fails with OutOfResource",
               fail_steps(M(type=4, x=src_x([1])[0]), ZERO, "OutOfResource"),
               setup_cs(src_x([1])[1]), ptr, result="invalid", flags=["NoBuffer", "Broken"],
               source=S32, scenario="28"))
    xs, cc, _ = src_x([0, 0x10])
    t.append(T(I("m0-size0-then-size16"),
               "Mode 0: a size-0 X is accepted, the following X of size 0x10 fails the whole request with OutOfResource",
               fail_steps(M(type=4, x=xs), ZERO, "OutOfResource"),
               setup_cs(cc), ptr, result="invalid", flags=["NoBuffer", "ZeroSize", "Broken"],
               source=S32, scenario="28"))
    groups.append(G("mode 0 (none)", "No receive list: only size-0 pointers pass.", t, source=S32))

    # ---- mode 1 ----
    t = []
    S1 = M(rlc=1)
    xs, cc, ds = src_x([0x10])
    t.append(T(I("m1-basic"),
               "Mode 1: X of 0x10 bytes with the request's raw end E = 6 (header 2 + X 2 + raw 2): data lands in S's own TLS at AlignUp(4*6, 16) = +0x20 and the descriptor holds that TLS address",
               [send(M(type=4, x=xs, raw=REQ_RAW)), recv(S1),
                xmsg(P(type=4, x=[Xd(0, "$tls.S+0x20", 0x10)], raw=REQ_RAW, rlc=0)),
                xmem("S", "$tls.S+0x20", ds[0])],
               setup_cs(cc), m1, flags=["Alignment"], source=sc(30), scenario="30"))
    t.append(T(I("m1-aligned-raw-end"),
               "Mode 1: request with one X and no raw data ends at word 4 (byte 0x10, already 16-byte aligned): data at S TLS + 0x10",
               [send(M(type=4, x=xs)), recv(S1),
                xmsg(P(type=4, x=[Xd(0, "$tls.S+0x10", 0x10)], rlc=0)),
                xmem("S", "$tls.S+0x10", ds[0])],
               setup_cs(cc), m1, flags=["Alignment"], source=S32, scenario="30"))
    t.append(T(I("m1-special-header-counts"),
               "Mode 1: an empty special header (one word) counts in the source raw end: E = 3 + 2 = 5, so the data goes to AlignUp(0x14, 16) = +0x20",
               [send(M(type=4, x=xs, special=True)), recv(S1),
                xmsg(P(type=4, x=[Xd(0, "$tls.S+0x20", 0x10)], rlc=0, special=True)),
                xmem("S", "$tls.S+0x20", ds[0])],
               setup_cs(cc), m1, flags=["Alignment"], source=S32, scenario="30"))
    xs2, cc2, ds2 = src_x([8, 0x10], indices=[7, 3])
    t.append(T(I("m1-two-x"),
               "Mode 1, two X (8 and 0x10 bytes, indices 7 and 3), E = 6: the first at +0x20, the second at the next 16-byte boundary after its end, +0x30; indices are ignored for placement and kept in the descriptors",
               [send(M(type=4, x=xs2)), recv(S1),
                xmsg(P(type=4, x=[Xd(7, "$tls.S+0x20", 8), Xd(3, "$tls.S+0x30", 0x10)], rlc=0)),
                xmem("S", "$tls.S+0x20", ds2[0]), xmem("S", "$tls.S+0x30", ds2[1])],
               setup_cs(cc2), m1, flags=["Alignment", "Packing"], source=sc(31), scenario="31"))
    xs3, cc3, ds3 = src_x([8, 0, 8])
    t.append(T(I("m1-size0-between"),
               "Mode 1, X of 8, 0 and 8 bytes (E = 8 → +0x20): the size-0 X consumes nothing and reports address 0; the third lands at +0x30",
               [send(M(type=4, x=xs3)), recv(S1),
                xmsg(P(type=4, x=[Xd(0, "$tls.S+0x20", 8), Xd(1, 0, 0), Xd(2, "$tls.S+0x30", 8)], rlc=0)),
                xmem("S", "$tls.S+0x20", ds3[0]), xmem("S", "$tls.S+0x30", ds3[2])],
               setup_cs(cc3), m1, flags=["Packing", "ZeroSize"], source=S32, scenario="31"))
    raw50 = list(range(1, 51))
    xs4, cc4, ds4 = src_x([0x20])
    t.append(T(I("m1-fit-exact"),
               "Mode 1, RawCount 50 and one X (E = 54, byte 0xd8 → 0xe0): 0x20 bytes end exactly at 0x100, the end of the TLS buffer, and fit",
               [send(M(type=4, x=xs4, raw=raw50)), recv(S1),
                xmsg(P(type=4, x=[Xd(0, "$tls.S+0xe0", 0x20)], raw=raw50, rlc=0)),
                xmem("S", "$tls.S+0xe0", ds4[0])],
               setup_cs(cc4), m1, flags=["Boundary"], source=S32, scenario="32"))
    xs5, cc5, _ = src_x([0x21])
    t.append(T(I("m1-overflow"),
               "Mode 1, same geometry with 0x21 bytes: 0xe0 + 0x21 > 0x100, so no buffer fits: OutOfResource for C, ReceiveListBroken for S",
               fail_steps(M(type=4, x=xs5, raw=raw50), S1, "OutOfResource"),
               setup_cs(cc5), m1, result="invalid", flags=["Boundary", "Overflow", "Broken"],
               source=sc(32), scenario="32"))
    xs6, cc6, ds6 = src_x([0x80, 0x60])
    t.append(T(I("m1-second-fits-exact"),
               "Mode 1, X of 0x80 then 0x60 bytes with E = 6: first at +0x20 (ends 0xa0), second at +0xa0, ending exactly at 0x100",
               [send(M(type=4, x=xs6)), recv(S1),
                xmsg(P(type=4, x=[Xd(0, "$tls.S+0x20", 0x80), Xd(1, "$tls.S+0xa0", 0x60)], rlc=0)),
                xmem("S", "$tls.S+0x20", ds6[0]), xmem("S", "$tls.S+0xa0", ds6[1])],
               setup_cs(cc6), m1, flags=["Packing", "Boundary"], source=S32, scenario="32"))
    xs7, cc7, _ = src_x([0x80, 0x61])
    t.append(T(I("m1-second-overflows"),
               "Mode 1, X of 0x80 then 0x61 bytes: the second would end at 0x101 > 0x100: OutOfResource",
               fail_steps(M(type=4, x=xs7), S1, "OutOfResource"),
               setup_cs(cc7), m1, result="invalid", flags=["Packing", "Overflow", "Broken"],
               source=S32, scenario="32"))
    big_cc = [(0, D(0xA, 0x10)), (0x1F0, D(0xB, 0x10))]
    UBS = ub(SH + 0x1000, 0x1000)
    t.append(T(I("m1-user-buffer"),
               "Mode 1 into S's 0x1000-byte user buffer: a 0x200-byte X (too big for a TLS buffer) lands at buffer + AlignUp(4*6, 16) = +0x20; the locked user buffer is written by the kernel",
               [send(M(type=4, x=[Xd(0, CH, 0x200)], raw=REQ_RAW)), recv(S1, buffer=UBS),
                xmsg(P(type=4, x=[Xd(0, SH + 0x1020, 0x200)], raw=REQ_RAW, rlc=0), buffer=UBS),
                xmem("S", SH + 0x1020, D(0xA, 0x10), comment="first 16 bytes of the client's data"),
                xmem("S", SH + 0x1030, rep(0x5A, 0x10), comment="the client's 0x5a fill follows"),
                xmem("S", SH + 0x1210, D(0xB, 0x10), comment="last 16 bytes of the data"),
                xmem("S", SH + 0x1220, rep(0xEE, 0x10), comment="S's buffer after the data is untouched")],
               setup_cs(big_cc, c_fill=0x5A), m1 + ["user-buffer"], flags=["UserBuffer"],
               source=S32, scenario="30"))
    t.append(T(I("m1-user-buffer-fit-exact"),
               "Mode 1 into S's 0x1000-byte user buffer: 0xfe0 bytes at +0x20 end exactly at the end of the buffer",
               [send(M(type=4, x=[Xd(0, CH, 0xFE0)], raw=REQ_RAW)), recv(S1, buffer=UBS),
                xmsg(P(type=4, x=[Xd(0, SH + 0x1020, 0xFE0)], raw=REQ_RAW, rlc=0), buffer=UBS),
                xmem("S", SH + 0x1020, D(0xA, 0x10)),
                xmem("S", SH + 0x1FF0, D(0xC, 0x10), comment="the data's last 16 bytes are the buffer's last 16 bytes")],
               setup_cs([(0, D(0xA, 0x10)), (0xFD0, D(0xC, 0x10))], c_fill=0x5A),
               m1 + ["user-buffer"], flags=["UserBuffer", "Boundary"], source=S32, scenario="32"))
    t.append(T(I("m1-user-buffer-overflow"),
               "Mode 1 into S's 0x1000-byte user buffer: 0xfe1 bytes at +0x20 exceed the buffer: OutOfResource",
               fail_steps(M(type=4, x=[Xd(0, CH, 0xFE1)], raw=REQ_RAW), S1, "OutOfResource",
                          s_buffer=UBS),
               setup_cs([(0, D(0xA, 0x10))], c_fill=0x5A), m1 + ["user-buffer"], result="invalid",
               flags=["UserBuffer", "Boundary", "Overflow", "Broken"], source=S32, scenario="32"))
    t.append(T(I("m1-tls-bound"),
               "Mode 1 into S's TLS: the same 0x200-byte X that fits a user buffer does not fit 0x100 bytes: OutOfResource (the bound is the destination buffer's size)",
               fail_steps(M(type=4, x=[Xd(0, CH, 0x200)], raw=REQ_RAW), S1, "OutOfResource"),
               setup_cs(big_cc, c_fill=0x5A), m1, result="invalid",
               flags=["Overflow", "Broken"], source=S32, scenario="32"))
    groups.append(G("mode 1 (into the message buffer)",
                    "Data after the incoming message's raw end, each buffer 16-byte aligned, bounded by the receiver's buffer size.",
                    t, source=S32))

    # ---- mode 2 ----
    t = []

    def S2(addr, size, reserved=None):
        return M(rlc=2, c=[Cd(addr, size, reserved)])

    xs, cc, ds = src_x([0x10, 0x20])
    t.append(T(I("m2-basic"),
               "Mode 2, entry (16-aligned A, 0x100), X of 0x10 and 0x20 bytes: placed at A and A+0x10; the byte after them is S's untouched fill",
               [send(M(type=4, x=xs)), recv(S2(SH, 0x100)),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10), Xd(1, SH + 0x10, 0x20)], rlc=0)),
                xmem("S", SH, ds[0] + ds[1] + rep(0xEE, 0x10))],
               setup_cs(cc), ptr, flags=["Packing"], source=sc(33), scenario="33"))
    xs1, cc1, ds1 = src_x([0x10])
    t.append(T(I("m2-unaligned-entry"),
               "Mode 2, entry address A+4: even the first X is placed at the next 16-byte boundary, A+0x10; A..A+0x10 stay untouched",
               [send(M(type=4, x=xs1)), recv(S2(SH + 4, 0x100)),
                xmsg(P(type=4, x=[Xd(0, SH + 0x10, 0x10)], rlc=0)),
                xmem("S", SH, rep(0xEE, 0x10) + ds1[0])],
               setup_cs(cc1), ptr, flags=["Alignment"], source=sc(34), scenario="34"))
    xs2, cc2, ds2 = src_x([1, 0x11, 4])
    t.append(T(I("m2-unaligned-sizes"),
               "Mode 2, X of 1, 0x11 and 4 bytes: each starts at the next 16-byte boundary after the previous end (A, A+0x10, A+0x30); the gaps are not written",
               [send(M(type=4, x=xs2)), recv(S2(SH, 0x100)),
                xmsg(P(type=4, x=[Xd(0, SH, 1), Xd(1, SH + 0x10, 0x11), Xd(2, SH + 0x30, 4)], rlc=0)),
                xmem("S", SH, ds2[0] + rep(0xEE, 15) + ds2[1] + rep(0xEE, 15) + ds2[2] + rep(0xEE, 12))],
               setup_cs(cc2), ptr, flags=["Alignment", "Packing"], source=S32, scenario="33"))
    t.append(T(I("m2-overflow"),
               "Mode 2, entry of 0x20 bytes, X of 0x10 then 0x20: the second would end at A+0x30 > A+0x20: OutOfResource",
               fail_steps(M(type=4, x=xs), S2(SH, 0x20), "OutOfResource"),
               setup_cs(cc), ptr, result="invalid", flags=["Overflow", "Broken"],
               source=sc(35), scenario="35"))
    t.append(T(I("m2-fit-exact"),
               "Mode 2, entry of 0x30 bytes, X of 0x10 then 0x20: the second ends exactly at A+0x30 and fits",
               [send(M(type=4, x=xs)), recv(S2(SH, 0x30)),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10), Xd(1, SH + 0x10, 0x20)], rlc=0)),
                xmem("S", SH, ds[0] + ds[1])],
               setup_cs(cc), ptr, flags=["Boundary"], source=S32, scenario="35"))
    xs3, cc3, _ = src_x([0x11])
    t.append(T(I("m2-single-overflow"),
               "Mode 2, entry of 0x10 bytes, one X of 0x11 bytes: OutOfResource",
               fail_steps(M(type=4, x=xs3), S2(SH, 0x10), "OutOfResource"),
               setup_cs(cc3), ptr, result="invalid", flags=["Overflow", "Boundary", "Broken"],
               source=S32, scenario="35"))
    t.append(T(I("m2-unaligned-entry-overflow"),
               "Mode 2, entry (A+4, 0x10), X of 0x10: rounding up to A+0x10 leaves only 4 bytes of the entry: OutOfResource",
               fail_steps(M(type=4, x=xs1), S2(SH + 4, 0x10), "OutOfResource"),
               setup_cs(cc1), ptr, result="invalid", flags=["Alignment", "Overflow", "Broken"],
               source=S32, scenario="34"))
    t.append(T(I("m2-unaligned-entry-fit"),
               "Mode 2, entry (A+4, 0x1c), X of 0x10: placed at A+0x10, ending exactly at the entry's end A+0x20",
               [send(M(type=4, x=xs1)), recv(S2(SH + 4, 0x1C)),
                xmsg(P(type=4, x=[Xd(0, SH + 0x10, 0x10)], rlc=0)),
                xmem("S", SH + 0x10, ds1[0])],
               setup_cs(cc1), ptr, flags=["Alignment", "Boundary"], source=S32, scenario="34"))
    t.append(T(I("m2-entry-size0"),
               "Mode 2 with an entry of size 0: any X with data fails with OutOfResource",
               fail_steps(M(type=4, x=xs1), S2(SH, 0), "OutOfResource"),
               setup_cs(cc1), ptr, result="invalid", flags=["ZeroSize", "Broken"],
               source=sc(36), scenario="36"))
    t.append(T(I("m2-entry-size0-x-size0"),
               "Mode 2 with an entry of size 0: an X of size 0 needs no buffer and succeeds with address 0",
               [send(M(type=4, x=[Xd(2, CH, 0)])), recv(S2(SH, 0)),
                xmsg(P(type=4, x=[Xd(2, 0, 0)], rlc=0))],
               setup_cs(), ptr, flags=["ZeroSize"], source=S32, scenario="36"))
    xs4, cc4, ds4 = src_x([0x10, 0, 0x10])
    t.append(T(I("m2-size0-between"),
               "Mode 2, X of 0x10, 0 and 0x10 bytes: the size-0 X consumes nothing (address 0), the third follows the first at A+0x10",
               [send(M(type=4, x=xs4)), recv(S2(SH, 0x100)),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10), Xd(1, 0, 0), Xd(2, SH + 0x10, 0x10)], rlc=0)),
                xmem("S", SH, ds4[0] + ds4[2])],
               setup_cs(cc4), ptr, flags=["ZeroSize", "Packing"], source=S32, scenario="33"))
    xs5, cc5, ds5 = src_x([0x10, 0x10], indices=[9, 0])
    t.append(T(I("m2-index-ignored"),
               "Mode 2 ignores the X index: indices 9 and 0 are packed in descriptor order (A, A+0x10) and keep their indices",
               [send(M(type=4, x=xs5)), recv(S2(SH, 0x100)),
                xmsg(P(type=4, x=[Xd(9, SH, 0x10), Xd(0, SH + 0x10, 0x10)], rlc=0)),
                xmem("S", SH, ds5[0] + ds5[1])],
               setup_cs(cc5), ptr, flags=["Packing"], source=S32, scenario="33"))
    xs6, cc6, ds6 = src_x([8] * 15)
    img = b"".join(d + rep(0xEE, 8) for d in ds6)
    t.append(T(I("m2-fifteen-x"),
               "Mode 2 with the maximum 15 X descriptors of 8 bytes each: descriptor i lands at A + 0x10*i",
               [send(M(type=4, x=xs6)), recv(S2(SH, 0x100)),
                xmsg(P(type=4, x=[Xd(i, SH + 0x10 * i, 8) for i in range(15)], rlc=0)),
                xmem("S", SH, img)],
               setup_cs(cc6), ptr, flags=["Packing"], source=S32, scenario="33"))
    t.append(T(I("m2-entry-reserved-bits"),
               "Mode 2 entry with reserved bit 7 of word 1 set: the kernel reads a 39-bit address (bits 0..6 of word 1) and places the X at A (SunriseOS reads 16 address bits and would aim elsewhere)",
               [send(M(type=4, x=xs1)), recv(S2(SH, 0x100, reserved=0x80)),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)),
                xmem("S", SH, ds1[0])],
               setup_cs(cc1), ptr, flags=["SunriseDivergence"], source="%s §2.8, §7 #14" % KS,
               scenario="33"))
    groups.append(G("mode 2 (single buffer)",
                    "One entry, filled sequentially; each X starts at the next 16-byte boundary; the index is ignored.",
                    t, source=S32))

    # ---- indexed ----
    t = []

    def SI(entries):
        return M(rlc=len(entries) + 2, c=[Cd(a, s) for a, s in entries])

    xs, cc, ds = src_x([0x10], indices=[1])
    t.append(T(I("idx-basic"),
               "Mode 4 (two entries; c1 at an unaligned address A1 = S+0x103): X index 1 lands exactly at A1, no alignment; c0 untouched",
               [send(M(type=4, x=xs)), recv(SI([(SH, 0x40), (SH + 0x103, 0x40)])),
                xmsg(P(type=4, x=[Xd(1, SH + 0x103, 0x10)], rlc=0)),
                xmem("S", SH + 0x100, rep(0xEE, 3) + ds[0] + rep(0xEE, 13)),
                xmem("S", SH, rep(0xEE, 0x10), comment="entry 0 untouched")],
               setup_cs(cc), idxr, flags=["ExactPlacement"], source=sc(37), scenario="37"))
    xs1, cc1, _ = src_x([0x10], indices=[2])
    t.append(T(I("idx-out-of-range"),
               "Mode 4 (two entries): X index 2 has no entry: OutOfResource",
               fail_steps(M(type=4, x=xs1), SI([(SH, 0x40), (SH + 0x100, 0x40)]), "OutOfResource"),
               setup_cs(cc1), idxr, result="invalid", flags=["Overflow", "Broken"],
               source=sc(38), scenario="38"))
    xs2, cc2, ds2 = src_x([0x10])
    t.append(T(I("idx-too-small"),
               "Mode 4: entry 0 has 8 bytes, X index 0 has 0x10: OutOfResource",
               fail_steps(M(type=4, x=xs2), SI([(SH, 8), (SH + 0x100, 0x40)]), "OutOfResource"),
               setup_cs(cc2), idxr, result="invalid", flags=["Overflow", "Boundary", "Broken"],
               source=sc(39), scenario="39"))
    t.append(T(I("idx-exact-size"),
               "Mode 4: entry 0 of exactly 0x10 bytes takes an X of 0x10 bytes (Z ≥ s)",
               [send(M(type=4, x=xs2)), recv(SI([(SH, 0x10), (SH + 0x100, 0x40)])),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)), xmem("S", SH, ds2[0] + rep(0xEE, 0x10))],
               setup_cs(cc2), idxr, flags=["ExactPlacement", "Boundary"], source=S32, scenario="39"))
    xs3, cc3, _ = src_x([1])
    t.append(T(I("idx-zero-size-entry"),
               "Mode 4: entry 0 has size 0; a 1-byte X with index 0 fails with OutOfResource",
               fail_steps(M(type=4, x=xs3), SI([(SH, 0), (SH + 0x100, 0x40)]), "OutOfResource"),
               setup_cs(cc3), idxr, result="invalid", flags=["ZeroSize", "Broken"],
               source=S32, scenario="39"))
    t.append(T(I("idx-x-size0-any-index"),
               "Mode 4: an X of size 0 with index 9 (no such entry) succeeds: size 0 is handled before the index is looked at",
               [send(M(type=4, x=[Xd(9, CH, 0)])), recv(SI([(SH, 0x40), (SH + 0x100, 0x40)])),
                xmsg(P(type=4, x=[Xd(9, 0, 0)], rlc=0))],
               setup_cs(), idxr, flags=["ZeroSize"], source=S32, scenario="38"))
    xs4, cc4, ds4 = src_x([0x10, 0x10], indices=[0, 0])
    t.append(T(I("idx-same-index"),
               "Mode 4: two X both with index 0 go to entry 0's start; the second one's bytes win",
               [send(M(type=4, x=xs4)), recv(SI([(SH, 0x40), (SH + 0x100, 0x40)])),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10), Xd(0, SH, 0x10)], rlc=0)),
                xmem("S", SH, ds4[1] + rep(0xEE, 0x10))],
               setup_cs(cc4), idxr, flags=["ExactPlacement"], source=sc(40), scenario="40"))
    xs5, cc5, ds5 = src_x([0x10, 8], indices=[0, 0])
    t.append(T(I("idx-same-index-shorter-second"),
               "Mode 4: X index 0 of 0x10 bytes, then X index 0 of 8 bytes: the second overwrites only the first 8 bytes (no usage tracking, no offset)",
               [send(M(type=4, x=xs5)), recv(SI([(SH, 0x40), (SH + 0x100, 0x40)])),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10), Xd(0, SH, 8)], rlc=0)),
                xmem("S", SH, ds5[1] + ds5[0][8:])],
               setup_cs(cc5), idxr, flags=["ExactPlacement"], source=S32, scenario="40"))
    xs6, cc6, ds6 = src_x([0x10, 0x10], indices=[1, 0])
    t.append(T(I("idx-reverse-order"),
               "Mode 4: X index 1 then X index 0: each goes to its own entry regardless of descriptor order",
               [send(M(type=4, x=xs6)), recv(SI([(SH, 0x40), (SH + 0x100, 0x40)])),
                xmsg(P(type=4, x=[Xd(1, SH + 0x100, 0x10), Xd(0, SH, 0x10)], rlc=0)),
                xmem("S", SH, ds6[1]), xmem("S", SH + 0x100, ds6[0])],
               setup_cs(cc6), idxr, flags=["ExactPlacement"], source=S32, scenario="37"))
    t.append(T(I("idx-mode3"),
               "Mode 3 (one entry at an unaligned S+5): X index 0 lands exactly at S+5",
               [send(M(type=4, x=xs2)), recv(SI([(SH + 5, 0x20)])),
                xmsg(P(type=4, x=[Xd(0, SH + 5, 0x10)], rlc=0)),
                xmem("S", SH, rep(0xEE, 5) + ds2[0] + rep(0xEE, 11))],
               setup_cs(cc2), idxr, flags=["ExactPlacement"], source=S32, scenario="37"))
    xs7, cc7, _ = src_x([0x10], indices=[1])
    t.append(T(I("idx-mode3-index1"),
               "Mode 3 (one entry): X index 1 is out of range: OutOfResource (mode 3 means one entry, unlike libnx-style mode 2)",
               fail_steps(M(type=4, x=xs7), SI([(SH, 0x40)]), "OutOfResource"),
               setup_cs(cc7), idxr, result="invalid", flags=["Overflow", "Broken"],
               source=S32, scenario="38"))
    ent13 = [(SH + 0x40 * i, 0x20) for i in range(13)]
    xs8, cc8, ds8 = src_x([0x10] * 13)
    steps = [send(M(type=4, x=xs8)), recv(SI(ent13)),
             xmsg(P(type=4, x=[Xd(i, SH + 0x40 * i, 0x10) for i in range(13)], rlc=0))]
    steps += [xmem("S", SH + 0x40 * i, ds8[i] + rep(0xEE, 0x10)) for i in range(13)]
    t.append(T(I("idx-mode15-thirteen"),
               "Mode 15 = 13 entries (the maximum): 13 X with indices 0..12 each land at the start of their own entry",
               steps, setup_cs(cc8), idxr, flags=["ExactPlacement"], source=S32, scenario="37"))
    xs9, cc9, ds9 = src_x([0x10], indices=[12])
    t.append(T(I("idx-mode15-index12"),
               "Mode 15: a single X with index 12 (the last entry) lands at entry 12; entry 0 untouched",
               [send(M(type=4, x=xs9)), recv(SI(ent13)),
                xmsg(P(type=4, x=[Xd(12, SH + 0x300, 0x10)], rlc=0)),
                xmem("S", SH + 0x300, ds9[0]), xmem("S", SH, rep(0xEE, 0x10))],
               setup_cs(cc9), idxr, flags=["ExactPlacement"], source=S32, scenario="37"))
    for bad in (13, 15):
        xsb, ccb, _ = src_x([0x10], indices=[bad])
        t.append(T(I("idx-mode15-index%d" % bad),
                   "Mode 15 (13 entries): X index %d has no entry: OutOfResource" % bad,
                   fail_steps(M(type=4, x=xsb), SI(ent13), "OutOfResource"),
                   setup_cs(ccb), idxr, result="invalid", flags=["Overflow", "Broken"],
                   source=S32, scenario="38"))
    t.append(T(I("idx-index-reserved-bits"),
               "Mode 4: X index 1 with reserved bit 4 set (libnx reads it as index bit 4, SunriseOS as a 6-bit index 17): the kernel uses the 4-bit index 1, and S sees a rebuilt descriptor with the reserved bits cleared",
               [send(M(type=4, x=[Xd(1, CH, 0x10, reserved=0x10)])),
                recv(SI([(SH, 0x40), (SH + 0x100, 0x40)])),
                xmsg(P(type=4, x=[Xd(1, SH + 0x100, 0x10, reserved=0)], rlc=0)),
                xmem("S", SH + 0x100, D(1, 0x10))],
               setup_cs([(0, D(1, 0x10))]), idxr, flags=["SunriseDivergence", "ExactPlacement"],
               source="%s §2.5, §3.2, §7 #20" % KS, scenario="37"))
    for mode in range(4, 15):
        n = mode - 2
        ents = [(SH + 0x40 * i, 0x20) for i in range(n)]
        xsm, ccm, dsm = src_x([0x10], indices=[n - 1])
        last = SH + 0x40 * (n - 1)
        t.append(T(I("idx-mode%d-last-entry" % mode),
                   "Mode %d (%d entries): X index %d lands at the start of the last entry, S+0x%x" % (mode, n, n - 1, last - SH),
                   [send(M(type=4, x=xsm)), recv(SI(ents)),
                    xmsg(P(type=4, x=[Xd(n - 1, last, 0x10)], rlc=0)),
                    xmem("S", last, dsm[0] + rep(0xEE, 0x10))],
                   setup_cs(ccm), idxr, flags=["ExactPlacement"], source=S32, scenario="37"))
    groups.append(G("indexed modes 3..=15",
                    "count - 2 entries; X with index i goes to the exact start of entry i.", t, source=S32))

    f = FILE(tp, "Pointer (X) descriptors delivered to a server through each receive-list mode of its buffer: none, into the message buffer, single buffer, indexed.",
             ["%s §3" % KS, "%s §4.3 step 9" % KS, "%s §4.6" % KS, "%s §8 #28-40" % KS,
              "wire-format.md §1.6, §1.9, §1.11"],
             {
                 "ZeroSize": "An X (or an entry) of size 0: a size-0 X consumes no buffer and is delivered with address 0; a size-0 entry accepts no data (§3.2 step 1, table).",
                 "NoBuffer": "Mode 0: the receiver has no receive list, so any X with data fails with OutOfResource (§3.2).",
                 "Alignment": "Modes 1 and 2 start every buffer at the next 16-byte boundary, even the first one and even when the entry address is unaligned (§3.2).",
                 "Packing": "Modes 1 and 2 pack successive X in descriptor order, each after the previous one's end; the X index plays no part (§3.2).",
                 "ExactPlacement": "Indexed modes put the data exactly at the entry's address, unaligned, with no offset or usage tracking (§3.2).",
                 "Boundary": "The data ends exactly at the limit (fits) or one byte past it (fails).",
                 "Overflow": "No receive buffer fits the X: OutOfResource 0xCE01 to the client (§3.2 step 3).",
                 "Broken": "The failing X descriptor's slot ended past the server's receive-list index, so the server's receive returns ReceiveListBroken 0x20401 with its out index (§4.6); a later poll times out.",
                 "UserBuffer": "The server receives into a user message buffer (ReplyAndReceiveWithUserBuffer): mode-1 data is bounded by that buffer's size, not 0x100.",
                 "SunriseDivergence": "SunriseOS's kernel behaves differently here (kernel-semantics.md §7); these bits are reserved in the kernel's layout and must be ignored.",
             }, groups)
    return emit("pointer-modes.json", f)


if __name__ == "__main__":
    total = pointer_modes()
    print("total", total)
