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


def sx(sizes, indices=None, base=SH, seed0=8):
    """Server-side X sources for a reply: sizes[i] at base + 0x100*i, contents
    D(seed0+i, size). Returns (xs, contents relative to SH, datas)."""
    xs, contents, datas = [], [], []
    for i, s in enumerate(sizes):
        idx = indices[i] if indices else i
        addr = base + 0x100 * i
        xs.append(Xd(idx, addr, s))
        d = D(seed0 + i, s)
        datas.append(d)
        if s:
            contents.append((addr - SH, d))
    return xs, contents, datas


def setup_cs(c_contents=(), c_fill=None, c_size=0x2000, s_fill=0xEE, extra=(), threads=(),
             sessions=(("s", "S", "C"),), events=(), s_contents=()):
    memory = [mem("C", CH, c_size, fill=c_fill, contents=c_contents),
              mem("S", SH, 0x2000, fill=s_fill, contents=s_contents)]
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
        st.append(poll(buffer=s_buffer, comment="S keeps waiting: nothing else is queued"))
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
    SHI = 0x3A20000000  # S memory above 4 GiB: entry address bits 32..38 set (word 1 bits 0..6)
    t.append(T(I("m2-entry-above-4gib"),
               "Mode 2, entry at 0x3a20000000 (address bits 32..38 in word 1 of the entry), 0x100 bytes; one X of 0x10: the kernel reads the entry's 39-bit address and places the data there",
               [send(M(type=4, x=xs1)), recv(S2(SHI, 0x100)),
                xmsg(P(type=4, x=[Xd(0, SHI, 0x10)], rlc=0)),
                xmem("S", SHI, ds1[0])],
               setup_cs(cc1, extra=[mem("S", SHI, 0x1000, fill=0xEE)]), ptr, flags=["Packing"],
               source="%s §2.8 (entry address bits 32..38); %s" % (KS, S32), scenario="33"))
    PG = SH + 0x10000  # a page of S's that nothing has written yet
    t.append(T(I("m2-whole-page"),
               "Mode 2, entry (a page of S's never written, 0x1000), one X of a whole page whose first 16 bytes are D(1, 0x10) and the rest zeros: S's page holds exactly those bytes, start, middle and end",
               [send(M(type=4, x=[Xd(0, CH, 0x1000)])), recv(S2(PG, 0x1000)),
                xmsg(P(type=4, x=[Xd(0, PG, 0x1000)], rlc=0)),
                xmem("S", PG, D(1, 0x10) + rep(0, 0x10)),
                xmem("S", PG + 0x800, rep(0, 0x10)),
                xmem("S", PG + 0xFF0, rep(0, 0x10))],
               setup_cs([(0, D(1, 0x10))], extra=[mem("S", PG, 0x1000)]), ptr, flags=["Packing"],
               source="%s; %s step 9 (the X data copied byte for byte)" % (S32, "%s §4.3" % KS), scenario="33"))
    t.append(T(I("m2-whole-page-over-fill"),
               "As the previous test with S's page filled with 0xee beforehand: the X replaces the whole page, so it holds D(1, 0x10) and zeros, start, middle and end, and none of the fill",
               [send(M(type=4, x=[Xd(0, CH, 0x1000)])), recv(S2(PG, 0x1000)),
                xmsg(P(type=4, x=[Xd(0, PG, 0x1000)], rlc=0)),
                xmem("S", PG, D(1, 0x10) + rep(0, 0x10)),
                xmem("S", PG + 0x800, rep(0, 0x10)),
                xmem("S", PG + 0xFF0, rep(0, 0x10))],
               setup_cs([(0, D(1, 0x10))], extra=[mem("S", PG, 0x1000, fill=0xEE)]), ptr, flags=["Packing"],
               source="%s; %s step 9 (the X data copied byte for byte)" % (S32, "%s §4.3" % KS), scenario="33"))
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


# ---------------------------------------------------------------------------------------
# pointer-receive-list-offset.json
# ---------------------------------------------------------------------------------------

def receive_list_offset():
    tp = "pointer-receive-list-offset"
    I = lambda s: tp + "-" + s  # noqa: E731
    S17 = "%s §3.1" % KS
    rq = ["tls-buffer", "pointer", "receive-list-offset"]
    groups = []
    xs, cc, ds = src_x([0x10])
    decoy = le(SH + 0x1000, 0x100 << 16)

    t = []
    t.append(T(I("offset-40"),
               "S's header has ReceiveListCount 2 and ReceiveListOffset 40: the entry is read from words 40..41, not from words 2..3 right after its (empty) raw data, which hold a decoy entry pointing elsewhere",
               [poll(msg=M(rlc=2, rlo=40, c=[Cd(SH, 0x100)]),
                     comment="S prepares its buffer (entry at words 40..41); nothing is queued yet, the poll times out"),
                write("S", "$tls.S+0x8", decoy,
                      comment="a decoy entry (S+0x1000, 0x100) at words 2..3, where a kernel ignoring the offset would look"),
                send(M(type=4, x=xs)),
                rar(result="Success", out_index=0, comment="S receives with the buffer as prepared"),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)),
                xmem("S", SH, ds[0] + rep(0xEE, 0x10)),
                xmem("S", SH + 0x1000, rep(0xEE, 0x10), comment="the decoy entry was not used")],
               setup_cs(cc), rq, flags=["Offset"], source=sc(41), scenario="41"))
    t.append(T(I("offset-equal-raw-end"),
               "S's header: RawCount 4 and ReceiveListOffset 6 (= its raw end, the smallest valid value) with one mode-2 entry there: the X is placed in that entry",
               [send(M(type=4, x=xs)), recv(M(raw=[1, 2, 3, 4], rlc=2, rlo=6, c=[Cd(SH, 0x100)])),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)), xmem("S", SH, ds[0])],
               setup_cs(cc), rq, flags=["Offset", "Boundary"], source=S17, scenario="41"))
    t.append(T(I("offset-indexed"),
               "S's header: mode 4 with ReceiveListOffset 20: entries at words 20..23; X index 1 lands at entry 1",
               [send(M(type=4, x=[Xd(1, CH, 0x10)])),
                recv(M(rlc=4, rlo=20, c=[Cd(SH, 0x40), Cd(SH + 0x100, 0x40)])),
                xmsg(P(type=4, x=[Xd(1, SH + 0x100, 0x10)], rlc=0)), xmem("S", SH + 0x100, ds[0]),
                xmem("S", SH, rep(0xEE, 0x10))],
               setup_cs(cc), rq + ["pointer-indexed"], flags=["Offset"], source=S17, scenario="41"))
    t.append(T(I("offset-62-fits"),
               "S's header: mode 2 with ReceiveListOffset 62: MessageSize = 4*62 + 8 = 0x100 fits the TLS buffer exactly; the entry at words 62..63 is used",
               [send(M(type=4, x=xs)), recv(M(rlc=2, rlo=62, c=[Cd(SH, 0x100)])),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)), xmem("S", SH, ds[0])],
               setup_cs(cc), rq, flags=["Offset", "Boundary"], source="%s §2.9, §4.3 step 1" % KS,
               scenario="41"))
    t.append(T(I("offset-mode1-placement"),
               "S's header: mode 1 with a valid ReceiveListOffset 10: the offset is validated but plays no part in mode-1 placement; the data goes to AlignUp(4*E(request), 16) = +0x20",
               [send(M(type=4, x=xs, raw=REQ_RAW)), recv(M(rlc=1, rlo=10)),
                xmsg(P(type=4, x=[Xd(0, "$tls.S+0x20", 0x10)], raw=REQ_RAW, rlc=0)),
                xmem("S", "$tls.S+0x20", ds[0])],
               setup_cs(cc), ["tls-buffer", "pointer-to-message-buffer", "receive-list-offset"],
               flags=["Offset"], source=S32, scenario="41"))
    UBS = ub(SH + 0x1000, 0x1000)
    t.append(T(I("offset-user-buffer"),
               "S receives into a 0x1000-byte user buffer whose header puts its mode-2 entry at word 0x200 (byte 0x800): valid there, and the X is placed in that entry",
               [send(M(type=4, x=xs)), recv(M(rlc=2, rlo=0x200, c=[Cd(SH, 0x100)]), buffer=UBS),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0), buffer=UBS), xmem("S", SH, ds[0])],
               setup_cs(cc), rq + ["user-buffer"], flags=["Offset"], source=S17, scenario="41"))
    groups.append(G("placement", "The receive list sits at the destination's ReceiveListOffset.", t, source=S17))

    t = []
    hdr1 = le(0, 1 << 20)
    t.append(T(I("offset-below-raw-end"),
               "S's header has ReceiveListOffset 1, below its raw end 2: the request (one X) fails with InvalidCombination before anything is written; S keeps waiting and its buffer is untouched",
               [send(M(type=4, x=xs)),
                poll(hexs=hdr1, comment="S prepares a header with offset 1; the request fails in step 3 (never broken), S's poll times out"),
                client("InvalidCombination"),
                words([0, 0x00100000], comment="S's header words untouched")],
               setup_cs(cc), rq, result="invalid", flags=["Offset", "NotBroken"], source=sc(8),
               scenario="8"))
    t.append(T(I("offset-below-raw-end-no-x"),
               "Same server header (offset 1, mode 0) with a request carrying only raw data: the offset is validated whenever it is non-zero, whatever the mode and the request: InvalidCombination",
               [send(M(type=4, raw=REQ_RAW)), poll(hexs=hdr1), client("InvalidCombination"),
                words([0, 0x00100000])],
               setup_cs(), ["tls-buffer", "receive-list-offset"], result="invalid",
               flags=["Offset", "NotBroken"], source=S17, scenario="8"))
    t.append(T(I("offset-inside-raw"),
               "S's header: RawCount 4 and ReceiveListOffset 5, inside its own raw data (raw end 6): InvalidCombination; S's buffer untouched",
               [send(M(type=4, x=xs)),
                poll(hexs=le(0, 4 | 5 << 20, 1, 2, 3, 4)),
                client("InvalidCombination"), words([0, 0x00500004, 1, 2, 3, 4])],
               setup_cs(cc), rq, result="invalid", flags=["Offset", "NotBroken"], source=S17,
               scenario="8"))
    t.append(T(I("offset-mode1-below-raw-end"),
               "S's header: mode 1 (no entries) with ReceiveListOffset 1: still validated, InvalidCombination",
               [send(M(type=4, x=xs)), poll(hexs=le(0, 1 << 10 | 1 << 20)), client("InvalidCombination"),
                words([0, 0x00100400])],
               setup_cs(cc), ["tls-buffer", "pointer-to-message-buffer", "receive-list-offset"],
               result="invalid", flags=["Offset", "NotBroken"], source=S17, scenario="8"))
    t.append(T(I("offset-63-too-far"),
               "S's header: mode 2 with ReceiveListOffset 63: MessageSize = 4*63 + 8 = 0x104 exceeds its TLS buffer: InvalidCombination (destination self-consistency); S keeps waiting",
               [send(M(type=4, x=xs)), poll(hexs=le(0, 2 << 10 | 63 << 20)), client("InvalidCombination"),
                words([0, 0x03F00800])],
               setup_cs(cc), rq, result="invalid", flags=["Offset", "Boundary", "NotBroken"],
               source="%s §4.3 step 1" % KS, scenario="7"))
    t.append(T(I("offset-0x200-in-tls"),
               "The header that is valid in a 0x1000-byte user buffer (mode 2, offset 0x200) does not fit S's TLS buffer: InvalidCombination",
               [send(M(type=4, x=xs)), poll(hexs=le(0, 2 << 10 | 0x200 << 20)), client("InvalidCombination"),
                words([0, 0x20000800])],
               setup_cs(cc), rq, result="invalid", flags=["Offset", "NotBroken"],
               source="%s §4.3 step 1" % KS, scenario="7"))
    t.append(T(I("offset-not-broken"),
               "S's entry sits at word 40 and is too small (8 bytes) for the X: OutOfResource to C; the X slot (words 2..3) did not pass word 40, so S is not told (NotFound swallowed: its poll times out) and its header words are restored",
               [send(M(type=4, x=xs)),
                poll(msg=M(rlc=2, rlo=40, c=[Cd(SH, 8)])),
                client("OutOfResource"),
                words([0, 0x02800800], comment="S's original header words restored (§4.7, not broken)")],
               setup_cs(cc), rq, result="invalid", flags=["Offset", "NotBroken"], source=S46,
               scenario="41"))
    groups.append(G("validation", "A non-zero destination offset must be ≥ the destination's raw end and the list must fit the buffer, else InvalidCombination before anything is written.",
                    t, source=S17))

    t = []
    thr = dict(threads=[("C2", "C")])
    xs2, cc2, ds2 = src_x([0x10])

    def b46(reply_msg, entry_addr, extra_req=()):
        return [send(M(type=4, raw=[1]), comment="C sends R1 (no X) and blocks"),
                send(M(type=4, x=xs2, raw=[2]), thread="C2",
                     comment="C2 sends R2 with one X on the same session; it is queued behind R1"),
                recv(ZERO, comment="S receives R1 (FIFO)"),
                xmsg(P(type=4, raw=[1], rlc=0)),
                rar(handles=["$s.server"], reply_target="$s.server", msg=reply_msg, result="Success",
                    out_index=0,
                    comment="S replies to R1 and receives R2 in the same call; the reply still in its buffer is the receive buffer"),
                client("Success"),
                xmsg(P(type=4, x=[Xd(0, entry_addr, 0x10)], raw=[2], rlc=0)),
                xmem("S", entry_addr, ds2[0]),
                reply(comment="S replies to R2"),
                client("Success", thread="C2")]

    t.append(T(I("reply-configures-receive"),
               "46b: S replies to R1 and receives R2 with one ReplyAndReceive; its reply had ReceiveListCount 2 and an entry right after the reply's raw data (word 3): R2's X is placed in that entry",
               b46(M(raw=[0x77], rlc=2, c=[Cd(SH + 0x100, 0x100)]), SH + 0x100),
               setup_cs(cc2, **thr), ["tls-buffer", "pointer", "threads"], flags=["ReplyHeader"],
               source="%s §3.1, §8 #46b" % KS, scenario="46b"))
    t.append(T(I("reply-configures-receive-offset"),
               "46b with an offset: the reply header has ReceiveListCount 2 and ReceiveListOffset 30; R2's X goes to the entry at words 30..31",
               b46(M(raw=[0x77], rlc=2, rlo=30, c=[Cd(SH + 0x200, 0x100)]), SH + 0x200),
               setup_cs(cc2, **thr), ["tls-buffer", "pointer", "threads", "receive-list-offset"],
               flags=["ReplyHeader", "Offset"], source="%s §3.1, §8 #46b" % KS, scenario="46b"))
    t.append(T(I("reply-without-list"),
               "46b, counter-case: S had a receive list when it received R1, but replies with a plain header (mode 0, no raw): R2's X has no buffer: C2 gets OutOfResource, S's call (reply done) returns ReceiveListBroken",
               [send(M(type=4, raw=[1])), send(M(type=4, x=xs2, raw=[2]), thread="C2"),
                recv(M(rlc=2, c=[Cd(SH, 0x100)]), comment="S receives R1 with a mode-2 buffer"),
                rar(handles=["$s.server"], reply_target="$s.server", msg=ZERO, result="ReceiveListBroken",
                    out_index=0, comment="the reply (all-zero header) is delivered; receiving R2 fails past word 2"),
                client("Success"), client("OutOfResource", thread="C2"),
                poll(comment="nothing else queued")],
               setup_cs(cc2, **thr), ["tls-buffer", "pointer", "threads"], result="invalid",
               flags=["ReplyHeader", "Broken"], source="%s §3.1, §4.6" % KS, scenario="46b"))
    groups.append(G("reply header as receive buffer", "With a reply target, the reply still in the buffer defines the next receive list.",
                    t, source=S31))

    f = FILE(tp, "The receive-list offset (header word 1 bits 20..30) of a destination buffer: placement, validation, and a server's reply header configuring its next receive.",
             ["%s §2.9" % KS, "%s §3.1" % KS, "%s §4.3 steps 1-3" % KS, "%s §4.6, §4.7" % KS,
              "%s §8 #8, #41, #46b" % KS, "wire-format.md §1.7"],
             {
                 "Offset": "The destination's ReceiveListOffset is non-zero: its receive list sits at that word index (§3.1).",
                 "Boundary": "At the limit: offset equal to the raw end, or a list ending exactly at (or one entry past) the buffer end.",
                 "NotBroken": "The failure happens before the write cursor passes the server's receive-list index (or in steps 1-6): the server is not told (NotFound is swallowed, its poll times out) and its header words are untouched or restored (§4.6, §4.7).",
                 "Broken": "The failed request overwrote the server's receive-list position: ReceiveListBroken 0x20401 with the out index (§4.6).",
                 "ReplyHeader": "ReplyAndReceive with a reply target: the reply message still in the server's buffer is the destination header for the next request (§3.1, scenario 46b).",
             }, groups)
    return emit("pointer-receive-list-offset.json", f)


# ---------------------------------------------------------------------------------------
# pointer-reply.json
# ---------------------------------------------------------------------------------------

def pointer_reply():
    tp = "pointer-reply"
    I = lambda s: tp + "-" + s  # noqa: E731
    S52 = "%s §5.2 step 10" % KS
    rq = ["tls-buffer", "pointer"]
    groups = []

    def su(s_contents, **kw):
        return setup_cs(c_fill=0xCC, c_size=0x4000, s_contents=s_contents, **kw)

    def flow(req, reply_msg, result, s_view=None, c_buffer=None, s_buffer=None, after=()):
        st = [send(req, buffer=c_buffer), recv(ZERO, buffer=s_buffer)]
        if s_view is not None:
            st.append(xmsg(s_view, buffer=s_buffer))
        st.append(reply(reply_msg, buffer=s_buffer))
        st.append(client(result))
        st += list(after)
        return st

    t = []
    xs, scc, ds = sx([0x10])
    E1 = CH + 0x1000
    t.append(T(I("mode2"),
               "44: C's request has ReceiveListCount 2 and one entry (C+0x1000, 0x100); S replies with one X of 0x10 bytes: C sees its data at the entry and the descriptor rewritten to the client address",
               flow(M(type=4, raw=[0xAA], rlc=2, c=[Cd(E1, 0x100)]),
                    M(x=xs, raw=[0x55]), "Success",
                    s_view=P(type=4, raw=[0xAA], rlc=2),
                    after=[xmsg(M(x=[Xd(0, E1, 0x10)], raw=[0x55]), thread="C",
                                comment="C's buffer: the reply header and raw verbatim, X rewritten to C's address"),
                           xmem("C", E1, ds[0] + rep(0xCC, 0x10))]),
               su(scc), rq, flags=["ClientList"], source=sc(44), scenario="44"))
    xs2, scc2, ds2 = sx([8, 8])
    t.append(T(I("mode2-unaligned-two"),
               "Reply with two 8-byte X into C's mode-2 entry at C+0x1004: rounded up to C+0x1010, then C+0x1020",
               flow(M(type=4, rlc=2, c=[Cd(E1 + 4, 0x100)]), M(x=xs2), "Success",
                    after=[xmsg(M(x=[Xd(0, E1 + 0x10, 8), Xd(1, E1 + 0x20, 8)]), thread="C"),
                           xmem("C", E1, rep(0xCC, 0x10) + ds2[0] + rep(0xCC, 8) + ds2[1] + rep(0xCC, 8))]),
               su(scc2), rq, flags=["ClientList", "Alignment"], source=S32, scenario="44"))
    xs3, scc3, ds3 = sx([8, 0x10], indices=[1, 0])
    t.append(T(I("indexed"),
               "Reply with X index 1 (8 bytes) and X index 0 (0x10 bytes) into C's mode-4 list (c0 = C+0x1000, c1 = C+0x1103): exact placement by index",
               flow(M(type=4, rlc=4, c=[Cd(E1, 0x40), Cd(E1 + 0x103, 0x40)]), M(x=xs3), "Success",
                    after=[xmsg(M(x=[Xd(1, E1 + 0x103, 8), Xd(0, E1, 0x10)]), thread="C"),
                           xmem("C", E1, ds3[1]), xmem("C", E1 + 0x100, rep(0xCC, 3) + ds3[0] + rep(0xCC, 5))]),
               su(scc3), ["tls-buffer", "pointer-indexed"], flags=["ClientList"], source=S32,
               scenario="44"))
    xs4, scc4, _ = sx([0x10], indices=[2])
    t.append(T(I("indexed-out-of-range"),
               "Reply with X index 2 into C's mode-4 list (two entries): C's SendSyncRequest fails with OutOfResource; S's reply half succeeds",
               flow(M(type=4, rlc=4, c=[Cd(E1, 0x40), Cd(E1 + 0x100, 0x40)]), M(x=xs4), "OutOfResource"),
               su(scc4), ["tls-buffer", "pointer-indexed"], result="invalid", flags=["ClientList", "ReplyError"],
               source="%s §5.3" % KS, scenario="45"))
    xs5, scc5, _ = sx([0x20])
    t.append(T(I("mode2-overflow"),
               "Reply with a 0x20-byte X into C's 0x10-byte mode-2 entry: OutOfResource to C; S's reply half succeeds",
               flow(M(type=4, rlc=2, c=[Cd(E1, 0x10)]), M(x=xs5), "OutOfResource"),
               su(scc5), rq, result="invalid", flags=["ClientList", "ReplyError"], source=S32, scenario="45"))
    xs6, scc6, _ = sx([0x10])
    t.append(T(I("mode0"),
               "45: reply with one X of 0x10 bytes when C's request had ReceiveListCount 0: C gets OutOfResource; S's reply half returns success (its reply-only call times out)",
               flow(M(type=4, raw=[1]), M(x=xs6), "OutOfResource"),
               su(scc6), rq, result="invalid", flags=["ReplyError"], source=sc(45), scenario="45"))
    t.append(T(I("mode0-size0"),
               "Reply with an X of size 0 (index 4) when C has no receive list: succeeds; C sees the X with address 0, size 0, index 4",
               flow(M(type=4, raw=[1]), M(x=[Xd(4, SH, 0)]), "Success",
                    after=[xmsg(M(x=[Xd(4, 0, 0)]), thread="C")]),
               su(()), rq, flags=["ZeroSize"], source=S32, scenario="45"))
    groups.append(G("client receive lists", "Reply pointer data goes to the receive list of the client's own request, still in its buffer (§3.1).",
                    t, source=S52))

    t = []
    xs7, scc7, ds7 = sx([0x10])
    t.append(T(I("mode1-tls"),
               "46a: C's request (TLS) has ReceiveListCount 1; the reply has one X of 0x10 bytes and RawCount 1 (E = 5): data in C's TLS at AlignUp(0x14, 16) = +0x20, descriptor = that TLS address",
               flow(M(type=4, raw=[1], rlc=1), M(x=xs7, raw=[0x55]), "Success",
                    after=[xmsg(M(x=[Xd(0, "$tls.C+0x20", 0x10)], raw=[0x55]), thread="C"),
                           xmem("C", "$tls.C+0x20", ds7[0])]),
               su(scc7), ["tls-buffer", "pointer-to-message-buffer"], flags=["ToMessageBuffer", "Alignment"],
               source=sc("46a"), scenario="46a"))
    xs8, scc8, ds8 = sx([8, 0x10])
    t.append(T(I("mode1-tls-two"),
               "Reply with two X (8 and 0x10 bytes, no raw, E = 6) into C's mode-1 TLS: +0x20 and +0x30",
               flow(M(type=4, rlc=1), M(x=xs8), "Success",
                    after=[xmsg(M(x=[Xd(0, "$tls.C+0x20", 8), Xd(1, "$tls.C+0x30", 0x10)]), thread="C"),
                           xmem("C", "$tls.C+0x20", ds8[0]), xmem("C", "$tls.C+0x30", ds8[1])]),
               su(scc8), ["tls-buffer", "pointer-to-message-buffer"], flags=["ToMessageBuffer", "Packing"],
               source=S32, scenario="46a"))
    xs9, scc9, ds9 = sx([0xF0])
    t.append(T(I("mode1-tls-fit-exact"),
               "Reply with one X of 0xf0 bytes and nothing else (E = 4, +0x10) into C's mode-1 TLS: ends exactly at 0x100",
               flow(M(type=4, rlc=1), M(x=xs9), "Success",
                    after=[xmsg(M(x=[Xd(0, "$tls.C+0x10", 0xF0)]), thread="C"),
                           xmem("C", "$tls.C+0x10", ds9[0])]),
               su(scc9), ["tls-buffer", "pointer-to-message-buffer"], flags=["ToMessageBuffer", "Boundary"],
               source=S32, scenario="46a"))
    xs10, scc10, _ = sx([0xF1])
    t.append(T(I("mode1-tls-overflow"),
               "Reply with one X of 0xf1 bytes into C's mode-1 TLS: 0x10 + 0xf1 > 0x100: OutOfResource to C",
               flow(M(type=4, rlc=1), M(x=xs10), "OutOfResource"),
               su(scc10), ["tls-buffer", "pointer-to-message-buffer"], result="invalid",
               flags=["ToMessageBuffer", "Boundary", "ReplyError"], source=S32, scenario="46a"))
    UBC = ub(CH + 0x3000, 0x1000)
    t.append(T(I("mode1-user-buffer"),
               "C sends from a 0x1000-byte user buffer with ReceiveListCount 1; the reply's 0x200-byte X (E = 5) lands at buffer + 0x20 (the kernel writes the locked buffer)",
               flow(M(type=4, raw=[1], rlc=1), M(x=[Xd(0, SH, 0x200)], raw=[0x55]), "Success", c_buffer=UBC,
                    after=[xmsg(M(x=[Xd(0, CH + 0x3020, 0x200)], raw=[0x55]), thread="C", buffer=UBC),
                           xmem("C", CH + 0x3020, D(0xA, 0x10)), xmem("C", CH + 0x3030, rep(0x5A, 0x10)),
                           xmem("C", CH + 0x3210, D(0xB, 0x10)),
                           xmem("C", CH + 0x3220, rep(0xCC, 0x10), comment="C's buffer after the data untouched")]),
               setup_cs(c_fill=0xCC, c_size=0x4000, s_fill=0x5A,
                        s_contents=[(0, D(0xA, 0x10)), (0x1F0, D(0xB, 0x10))]),
               ["tls-buffer", "user-buffer", "pointer-to-message-buffer"],
               flags=["ToMessageBuffer", "UserBuffer"], source=S52, scenario="46a"))
    groups.append(G("client mode 1", "Reply pointer data into the client's own message buffer.", t, source=S32))

    t = []
    xs11, scc11, ds11 = sx([0x10])
    t.append(T(I("client-offset"),
               "C's request has ReceiveListCount 2 with ReceiveListOffset 20 (entry at words 20..21): the reply's X is placed in that entry",
               flow(M(type=4, raw=[1], rlc=2, rlo=20, c=[Cd(E1, 0x100)]), M(x=xs11), "Success",
                    after=[xmsg(M(x=[Xd(0, E1, 0x10)]), thread="C"), xmem("C", E1, ds11[0])]),
               su(scc11), rq + ["receive-list-offset"], flags=["ClientList"], source=S31, scenario="44"))
    t.append(T(I("own-list-ignored"),
               "S's reply itself carries ReceiveListCount 2 and an entry (S+0x1000): the source's receive list is never used; the X goes to C's entry",
               flow(M(type=4, rlc=2, c=[Cd(E1, 0x100)]),
                    M(x=xs11, rlc=2, c=[Cd(SH + 0x1000, 0x100)]), "Success",
                    after=[xmsg(M(x=[Xd(0, E1, 0x10)], rlc=2, c="*"), thread="C",
                                comment="C sees the reply's header verbatim, including its ReceiveListCount"),
                           xmem("C", E1, ds11[0])]),
               su(scc11), rq, flags=["ClientList"], source=S31, scenario="44"))
    t.append(T(I("request-words-kept"),
               "After a reply ending at word 4 (header + one X), C's words beyond it keep its request: raw words 3 and 4 and its receive-list entry at words 6..7",
               flow(M(type=4, raw=[1, 2, 3, 4], rlc=2, c=[Cd(E1, 0x100)]), M(x=xs11), "Success",
                    after=[words([3, 4, E1, 0x01000000], thread="C", offset=4)]),
               su(scc11), rq, flags=["ClientList"], source="%s §5.3" % KS, scenario="44"))
    t.append(T(I("bad-client-offset"),
               "46: C's request has RawCount 2 and ReceiveListOffset 1 (inside its raw data): the source offset is not validated, S receives it verbatim; S's reply then fails for C with InvalidCombination (destination offset check) and C's buffer is untouched",
               [send(hexs=le(4, 2 | 1 << 20, 0x11111111, 0x22222222)), recv(ZERO),
                words([4, 0x00100002, 0x11111111, 0x22222222], comment="S sees C's words verbatim"),
                reply(M(raw=[0x55])), client("InvalidCombination"),
                words([4, 0x00100002, 0x11111111, 0x22222222], thread="C",
                      comment="the failure is in step 3: C's buffer untouched (§5.4)")],
               su(()), ["tls-buffer", "receive-list-offset"], result="invalid", flags=["ReplyError"],
               source=sc(46), scenario="46"))
    t.append(T(I("reply-list-too-large"),
               "S's reply header has RawCount 60 and ReceiveListCount 5: its own MessageSize (4*62 + 24 bytes) exceeds S's TLS: C gets InvalidCombination; S's reply half succeeds; C's buffer untouched",
               [send(M(type=4, raw=[1])), recv(ZERO), reply(hexs=le(0, 60 | 5 << 10)),
                client("InvalidCombination"), words([4, 1, 1], thread="C")],
               su(()), ["tls-buffer"], result="invalid", flags=["ReplyError"],
               source="%s §5.2 step 1" % KS, scenario=None))
    UBS = ub(SH + 0x1000, 0x1000)
    t.append(T(I("message-too-large"),
               "S uses a 0x1000-byte user buffer and replies with RawCount 100 (raw end 0x198 bytes) to a TLS client: MessageTooLarge for C; S's reply half succeeds; C's buffer untouched",
               [send(M(type=4, raw=[1])), recv(ZERO, buffer=UBS),
                reply(M(raw=list(range(100))), buffer=UBS),
                client("MessageTooLarge"), words([4, 1, 1], thread="C")],
               su(()), ["tls-buffer", "user-buffer"], result="invalid", flags=["ReplyError", "UserBuffer"],
               source="%s §5.2 step 4" % KS))
    groups.append(G("reply headers", "Which receive list a reply uses, and the reply's header checks.", t,
                    source="%s §5.2" % KS))

    f = FILE(tp, "Pointer (X) descriptors in replies: delivered into the receive list of the client's own request, which is still in its buffer.",
             ["%s §3" % KS, "%s §5.2, §5.3, §5.4" % KS, "%s §8 #44-46a" % KS],
             {
                 "ClientList": "The reply's X data goes to the receive list described by the client's request buffer (§3.1, §5.2 step 6).",
                 "ReplyError": "Reply translation fails: the client's SendSyncRequest returns the error while the server's reply half succeeds (the reply-only call times out) (§5.3).",
                 "ZeroSize": "An X of size 0 needs no receive buffer and is delivered with address 0 (§3.2 step 1).",
                 "Alignment": "Mode 2 starts each buffer at the next 16-byte boundary (§3.2).",
                 "Packing": "Mode 1 packs successive X at 16-byte boundaries (§3.2).",
                 "ToMessageBuffer": "The client's request had ReceiveListCount 1: reply data lands in its own message buffer after the reply's raw end (§3.2, scenario 46a).",
                 "Boundary": "The data ends exactly at the buffer end, or one byte past it.",
                 "UserBuffer": "A user message buffer (…WithUserBuffer) on one side.",
             }, groups)
    return emit("pointer-reply.json", f)


# ---------------------------------------------------------------------------------------
# pointer-errors.json
# ---------------------------------------------------------------------------------------

def pointer_errors():
    tp = "pointer-errors"
    I = lambda s: tp + "-" + s  # noqa: E731
    S9 = "%s §4.3 step 9" % KS
    rq = ["tls-buffer", "pointer"]
    groups = []
    S2 = M(rlc=2, c=[Cd(SH, 0x100)])
    xs, cc, ds = src_x([0x10])

    def region(addr, perm="rw", attributes=None, state="Normal", fill=0x77, proc="C"):
        return mem(proc, addr, 0x1000, state=state, permission=perm, attributes=attributes, fill=fill)

    t = []
    t.append(T(I("source-unmapped"),
               "42: C's X points to unmapped memory: C gets InvalidCurrentMemory; S (mode 2, list at word 2) gets ReceiveListBroken",
               fail_steps(M(type=4, x=[Xd(0, UNMAPPED, 0x10)]), S2, "InvalidCurrentMemory"),
               setup_cs(), rq, result="invalid", flags=["SourceMemory", "Broken"], source=sc(42),
               scenario="42"))
    t.append(T(I("source-uncached"),
               "43: C's X source is Uncached memory: InvalidCurrentMemory",
               fail_steps(M(type=4, x=[Xd(0, CH + 0x2000, 0x10)]), S2, "InvalidCurrentMemory"),
               setup_cs(extra=[region(CH + 0x2000, attributes={"uncached": True})]), rq, result="invalid",
               flags=["SourceMemory", "Broken"], source=sc(43), scenario="43"))
    t.append(T(I("source-no-permission"),
               "C's X source has no user permission: InvalidCurrentMemory (user-read is required)",
               fail_steps(M(type=4, x=[Xd(0, CH + 0x2000, 0x10)]), S2, "InvalidCurrentMemory"),
               setup_cs(extra=[region(CH + 0x2000, perm="none")]), rq, result="invalid",
               flags=["SourceMemory", "Broken"], source=S9, scenario="42"))
    t.append(T(I("source-partly-unmapped"),
               "C's X starts 0x10 bytes before the end of its heap and is 0x20 long: the range is not all mapped: InvalidCurrentMemory",
               fail_steps(M(type=4, x=[Xd(0, CH + 0x1FF0, 0x20)]), S2, "InvalidCurrentMemory"),
               setup_cs(), rq, result="invalid", flags=["SourceMemory", "Broken"], source=S9, scenario="42"))
    t.append(T(I("source-read-only"),
               "C's X source is read-only memory: user-read suffices, the data is delivered",
               [send(M(type=4, x=[Xd(0, CH + 0x2000, 0x10)])), recv(S2),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)), xmem("S", SH, rep(0x77, 0x10))],
               setup_cs(extra=[region(CH + 0x2000, perm="r")]), rq, flags=["SourceMemory"], source=S9,
               scenario="42"))
    t.append(T(I("source-two-blocks"),
               "C's X spans the end of its Normal heap and the start of an adjacent CodeData block: both are linear-mapped and readable, the 0x10 bytes are delivered",
               [send(M(type=4, x=[Xd(0, CH + 0x1FF8, 0x10)])), recv(S2),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)),
                xmem("S", SH, D(1, 8) + rep(0x77, 8))],
               setup_cs([(0x1FF8, D(1, 8))], extra=[region(CH + 0x2000, state="CodeData")]), rq,
               flags=["SourceMemory", "SunriseDivergence"], source="%s §4.3 step 9, §7 #23" % KS,
               scenario="42"))
    t.append(T(I("source-thread-local"),
               "C's X points into its own TLS region (state ThreadLocal, linear-mapped): allowed; S receives the bytes found there",
               [write("C", "$tls.C+0x80", D(7, 0x10), comment="bytes in C's TLS past its message"),
                send(M(type=4, x=[Xd(0, "$tls.C+0x80", 0x10)])), recv(S2),
                xmsg(P(type=4, x=[Xd(0, SH, 0x10)], rlc=0)), xmem("S", SH, D(7, 0x10))],
               setup_cs(), rq, flags=["SourceMemory"], source="%s §4.3 step 9, §4.4 table" % KS,
               scenario="42"))
    t.append(T(I("dest-read-only"),
               "S's mode-2 entry points at read-only memory in S: the kernel writes it with user-write semantics: InvalidCurrentMemory",
               fail_steps(M(type=4, x=xs), M(rlc=2, c=[Cd(SH + 0x2000, 0x100)]), "InvalidCurrentMemory"),
               setup_cs(cc, extra=[region(SH + 0x2000, perm="r", proc="S")]), rq, result="invalid",
               flags=["DestMemory", "Broken"], source=S9, scenario="42"))
    t.append(T(I("dest-unmapped"),
               "S's mode-2 entry points at unmapped memory: InvalidCurrentMemory",
               fail_steps(M(type=4, x=xs), M(rlc=2, c=[Cd(UNMAPPED, 0x100)]), "InvalidCurrentMemory"),
               setup_cs(cc), rq, result="invalid", flags=["DestMemory", "Broken"], source=S9, scenario="42"))
    groups.append(G("request memory checks", "The client's X source must be linear-mapped, user-readable, not Uncached; the server's destination user-writable.",
                    t, source=S9))

    t = []
    rlo = ["receive-list-offset"]
    t.append(T(I("route-not-broken"),
               "S's header: mode 0 with ReceiveListOffset 60; C's X of 0x10 fails (OutOfResource), its slot ends at word 4 ≤ 60: not broken, S's poll times out and its header words are restored",
               fail_steps(M(type=4, x=xs), M(rlo=60), "OutOfResource", broken_=False)
               + [words([0, 0x03C00000])],
               setup_cs(cc), rq + rlo, result="invalid", flags=["NotBroken"], source=S46, scenario="28"))
    t.append(T(I("route-boundary-equal"),
               "S's list is at word 4 (offset 4, entry of 8 bytes); C's single X (words 2..3, cursor 4) is too big: cursor 4 is not > 4, so not broken: S keeps waiting, header restored",
               fail_steps(M(type=4, x=xs), M(rlc=2, rlo=4, c=[Cd(SH, 8)]), "OutOfResource", broken_=False)
               + [words([0, 0x00400800])],
               setup_cs(cc), rq + rlo, result="invalid", flags=["NotBroken", "Boundary"], source=S46,
               scenario=None))
    t.append(T(I("route-boundary-below"),
               "Same with S's list at word 3: cursor 4 > 3, broken: S gets ReceiveListBroken",
               fail_steps(M(type=4, x=xs), M(rlc=2, rlo=3, c=[Cd(SH, 8)]), "OutOfResource"),
               setup_cs(cc), rq + rlo, result="invalid", flags=["Broken", "Boundary"], source=S46,
               scenario=None))
    xs2, cc2, _ = src_x([0x10, 0x10])
    t.append(T(I("route-second-x-breaks"),
               "S's list at word 4, entry of 0x10 bytes; C sends two X of 0x10: the first fits (cursor 4, not past), the second overflows with cursor 6 > 4: broken",
               fail_steps(M(type=4, x=xs2), M(rlc=2, rlo=4, c=[Cd(SH, 0x10)]), "OutOfResource"),
               setup_cs(cc2), rq + rlo, result="invalid", flags=["Broken"], source=S46, scenario=None))
    t.append(T(I("route-second-x-boundary-equal"),
               "S's list at word 6, entry of 0x10 bytes; C sends two X of 0x10: the second (words 4..5) overflows with cursor 6, which is not > 6: not broken, S keeps waiting with its header restored",
               fail_steps(M(type=4, x=xs2), M(rlc=2, rlo=6, c=[Cd(SH, 0x10)]), "OutOfResource", broken_=False)
               + [words([0, 0x00600800])],
               setup_cs(cc2), rq + rlo, result="invalid", flags=["NotBroken", "Boundary"], source=S46,
               scenario=None))
    t.append(T(I("route-memory-not-broken"),
               "S's list at word 40; C's X source is unmapped: InvalidCurrentMemory to C, not broken: S keeps waiting, header restored",
               fail_steps(M(type=4, x=[Xd(0, UNMAPPED, 0x10)]), M(rlc=2, rlo=40, c=[Cd(SH, 0x100)]),
                          "InvalidCurrentMemory", broken_=False) + [words([0, 0x02800800])],
               setup_cs(), rq + rlo, result="invalid", flags=["SourceMemory", "NotBroken"], source=S46,
               scenario="42"))
    t.append(T(I("source-list-too-large"),
               "46c: C's request on TLS has RawCount 60 and ReceiveListCount 5 (3 entries): its MessageSize 0x110 exceeds its own buffer: queued normally, it fails at receive with InvalidCombination (step 2, never broken): S keeps waiting, its buffer untouched",
               [send(hexs=le(4, 60 | 5 << 10), comment="only the header is written: its counts alone make the message too large"),
                poll(msg=S2), client("InvalidCombination"),
                words([0, 0x800, SH, 0x01000000], comment="S's prepared buffer untouched")],
               setup_cs(), ["tls-buffer"], result="invalid", flags=["NotBroken"],
               source=sc("46c"), scenario="46c"))
    t.append(T(I("source-offset-too-large"),
               "C's request has ReceiveListCount 2 and ReceiveListOffset 63: its MessageSize 0x104 exceeds its TLS buffer: InvalidCombination at receive time; S keeps waiting",
               [send(hexs=le(4, 2 << 10 | 63 << 20)), poll(msg=S2), client("InvalidCombination"),
                words([0, 0x800, SH, 0x01000000])],
               setup_cs(), ["tls-buffer", "receive-list-offset"], result="invalid", flags=["NotBroken"],
               source="%s §3.1, §4.3 step 2" % KS, scenario="46c"))
    ev = dict(events=[("ev", "C")])
    t.append(T(I("handle-rollback"),
               "46d: S's header all zero; C sends one valid copy handle and one X of 0x10: the handle is copied into S's table, then the X fails (OutOfResource); S gets ReceiveListBroken and the copied handle is removed again",
               [count("S", "$n", comment="S's handle count before"),
                send(M(type=4, copy=["$ev"], x=xs)), broken(msg=ZERO), client("OutOfResource"),
                xcount("S", "$n", comment="the handle copied during translation was removed (§4.7)"),
                xhandle("C", "$ev", True, comment="C's handle is untouched"),
                poll()],
               setup_cs(cc, **ev), rq + ["copy-handles"], result="invalid", flags=["Rollback", "Broken"],
               source=sc("46d"), scenario="46d"))
    t.append(T(I("handle-rollback-request-fills-buffer"),
               "46d with 58 raw words, so that C's request (header, special header, one copy slot, one X, raw data: 64 words) is exactly as large as S's TLS buffer: the copied header still fits it, so the handle copied into S's table is removed again when the X fails (the §4.7 quirk needs a MessageSize larger than the buffer)",
               [count("S", "$n"),
                send(M(type=4, copy=["$ev"], x=xs, raw=list(range(58)))), broken(msg=ZERO), client("OutOfResource"),
                xcount("S", "$n", comment="the copied handle was removed (§4.7 server handle table)"),
                xhandle("C", "$ev", True)],
               setup_cs(cc, **ev), rq + ["copy-handles"], result="invalid", flags=["Rollback", "Broken"],
               source="%s §4.7 (server handle table; the quirk only when MessageSize is larger than the buffer)" % KS,
               scenario="46d"))
    t.append(T(I("handle-rollback-not-broken"),
               "46d with S's list at word 60 (mode 0): same failure, not broken: S keeps waiting, its handle count is unchanged and its header words restored",
               [count("S", "$n"), send(M(type=4, copy=["$ev"], x=xs)), poll(msg=M(rlo=60)),
                client("OutOfResource"), xcount("S", "$n"), xhandle("C", "$ev", True),
                words([0, 0x03C00000])],
               setup_cs(cc, **ev), rq + ["copy-handles", "receive-list-offset"], result="invalid",
               flags=["Rollback", "NotBroken"], source="%s §4.6, §4.7" % KS, scenario="46d"))
    groups.append(G("routing and rollback", "Who is told about a failed request, and what is undone (§4.6-4.8).", t, source=S46))

    t = []
    E1 = CH + 0x1000
    xs3, scc3, _ = sx([0x10])

    def rflow(entry, reply_x, s_contents=scc3, extra=()):
        return ([send(M(type=4, rlc=2, c=[Cd(entry, 0x100)])), recv(ZERO),
                 reply(M(x=reply_x)), client("InvalidCurrentMemory")],
                setup_cs(c_fill=0xCC, c_size=0x2000, s_contents=s_contents, extra=extra))

    st, su_ = rflow(E1, [Xd(0, UNMAPPED, 0x10)], s_contents=())
    t.append(T(I("reply-source-unmapped"),
               "S's reply X points to unmapped memory in S: C gets InvalidCurrentMemory; S's reply half succeeds",
               st, su_, rq, result="invalid", flags=["SourceMemory", "ReplyError"],
               source="%s §5.2 step 10" % KS, scenario="42"))
    st, su_ = rflow(CH + 0x2000, xs3, extra=[region(CH + 0x2000, perm="r")])
    t.append(T(I("reply-dest-read-only"),
               "C's receive-list entry points at its own read-only memory: the reply's X fails with InvalidCurrentMemory (destination needs user read+write)",
               st, su_, rq, result="invalid", flags=["DestMemory", "ReplyError"],
               source="%s §5.2 step 10" % KS, scenario="44"))
    st, su_ = rflow(CH + 0x2000, xs3, extra=[region(CH + 0x2000, attributes={"uncached": True})])
    t.append(T(I("reply-dest-uncached"),
               "C's receive-list entry points at Uncached memory: InvalidCurrentMemory",
               st, su_, rq, result="invalid", flags=["DestMemory", "ReplyError"],
               source="%s §5.2 step 10" % KS, scenario="44"))
    st, su_ = rflow(UNMAPPED, xs3)
    t.append(T(I("reply-dest-unmapped"),
               "C's receive-list entry points at unmapped memory: InvalidCurrentMemory",
               st, su_, rq, result="invalid", flags=["DestMemory", "ReplyError"],
               source="%s §5.2 step 10" % KS, scenario="44"))
    groups.append(G("reply memory checks", "Server X source user-readable; client destination linear-mapped, user read+write, not Uncached.",
                    t, source="%s §5.2 step 10" % KS))

    f = FILE(tp, "Pointer (X) failures: memory checks on both sides, failure routing (ReceiveListBroken or not), source self-consistency, handle rollback.",
             ["%s §3.2" % KS, "%s §4.3 steps 2, 9" % KS, "%s §4.6-4.8" % KS, "%s §5.2 step 10, §5.3" % KS,
              "%s §8 #42, #43, #46c, #46d" % KS],
             {
                 "SourceMemory": "The X source range must lie in the sender's address space, in linear-mapped memory with user-read permission and without the Uncached attribute, else InvalidCurrentMemory 0xD401.",
                 "DestMemory": "The receive buffer must be writable by the receiver (user-write in the server; linear-mapped, user rw, not Uncached in the client), else InvalidCurrentMemory 0xD401.",
                 "Broken": "The failing item's slot ended past the server's receive-list index: the server's receive returns ReceiveListBroken 0x20401 with its out index (§4.6).",
                 "NotBroken": "The failure leaves the server's receive list intact (or happens in steps 1-6): the server is not told, its poll times out, and its header words are untouched or restored.",
                 "Boundary": "The write cursor ends exactly at (not past) or one word past the server's receive-list index.",
                 "Rollback": "Handles copied into the server's table before the failure are removed again (§4.7).",
                 "ReplyError": "The error occurs translating the reply: the client gets it, the server's reply half succeeds (§5.3).",
                 "SunriseDivergence": "SunriseOS requires the source to lie in one mapping (kernel-semantics.md §7 #23); mesosphère checks every block of the range.",
             }, groups)
    return emit("pointer-errors.json", f)


if __name__ == "__main__":
    total = pointer_modes() + receive_list_offset() + pointer_reply() + pointer_errors()
    print("total", total)
