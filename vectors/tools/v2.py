"""Format v2 for the kernel vector generators (vectors/README.md "Versioning").

Every generator builds its tests in the v1 style (TLS buffers spelled out, the
`tls-buffer` capability required, `out_index` None for "not written") and passes the
finished file through `to_v2` before writing it, so the rules below live in one place:

* A step's buffer is omitted (`"any"`: the thread's message buffer, whichever kind
  the kernel has) and `$tls.T` becomes `$buf.T`, except in the tests listed in
  TLS_IS_THE_POINT, where the TLS buffer itself (its 0x100 bytes) is what is tested.
* `tls-buffer` and `user-buffer` leave `requires`: the runner derives them from the
  steps' buffers (and `address-space-64`, `memory-attributes` from the values).
* `out_index: None` is dropped: docs/spec/kernel-semantics.md §9 (out_index on
  failure) leaves the out index unspecified where the kernel does not write it.
"""

import copy

SCHEMA = "hipc-vectors/2"

# Tests whose expectations depend on the TLS buffer itself; each with the reason.
# Found by running the corpus on a kernel whose only message buffers are user
# buffers (`hipc run --flavour user-buffer-only`) and reading every failure
# against the specification: each is a limit of the 0x100-byte TLS buffer
# (docs/spec/kernel-semantics.md §1.1) or of mixing it with a user buffer (§1.3).
TLS_IS_THE_POINT = {
    "header-raw-kernel-request-63-raw-words-too-large-for-tls":
        "C's message end 0x104 against its 0x100-byte TLS buffer",
    "header-raw-kernel-request-special-header-62-raw-words-too-large":
        "message end one word past C's 0x100-byte TLS buffer",
    "header-raw-kernel-request-own-recv-list-offset-past-tls":
        "C's receive list past its 0x100-byte TLS buffer",
    "header-raw-kernel-user-buffer-request-too-large-for-server-tls":
        "a user-buffer request against S's 0x100-byte TLS buffer",
    "header-raw-kernel-user-buffer-request-63-words-into-tls":
        "a user-buffer request against S's 0x100-byte TLS buffer",
    "header-raw-kernel-reply-too-large-for-client-tls":
        "a user-buffer reply against C's 0x100-byte TLS buffer",
    "header-raw-kernel-server-check-before-fit":
        "S's header checked against its 0x100-byte TLS buffer",
    "header-raw-kernel-reply-self-inconsistent":
        "S's reply header against its 0x100-byte TLS buffer",
    "header-raw-kernel-reply-client-header-rewritten-inconsistent":
        "C's rewritten header against its 0x100-byte TLS buffer",
    "header-raw-kernel-server-header-raw-63":
        "S's header against its 0x100-byte TLS buffer",
    "header-raw-kernel-server-header-recv-list-count-15":
        "S's receive list against its 0x100-byte TLS buffer",
    "header-raw-kernel-server-header-special-counts":
        "S's header against its 0x100-byte TLS buffer",
    "move-handles-reply-message-too-large-consumes":
        "a user-buffer reply against C's 0x100-byte TLS buffer",
    "move-handles-reply-self-inconsistent-keeps":
        "S's reply header against its 0x100-byte TLS buffer",
    "pid-request-60-raw-words-too-large":
        "message end one word past C's 0x100-byte TLS buffer",
    "pointer-errors-source-list-too-large":
        "C's receive list past its 0x100-byte TLS buffer (scenario 46c)",
    "pointer-errors-source-offset-too-large":
        "C's receive-list offset past its 0x100-byte TLS buffer",
    "pointer-modes-m1-overflow":
        "mode 1 bounded by S's 0x100-byte TLS buffer",
    "pointer-modes-m1-second-overflows":
        "mode 1 bounded by S's 0x100-byte TLS buffer",
    "pointer-modes-m1-tls-bound":
        "mode 1 bounded by S's 0x100-byte TLS buffer",
    "pointer-receive-list-offset-offset-63-too-far":
        "S's receive-list offset against its 0x100-byte TLS buffer",
    "pointer-receive-list-offset-offset-0x200-in-tls":
        "S's receive-list offset against its 0x100-byte TLS buffer",
    "pointer-reply-mode1-tls-overflow":
        "mode 1 bounded by C's 0x100-byte TLS buffer",
    "pointer-reply-reply-list-too-large":
        "S's reply receive list against its 0x100-byte TLS buffer",
    "pointer-reply-message-too-large":
        "a user-buffer reply against C's 0x100-byte TLS buffer",
}

# Tests whose `$tls.T` names the TLS region as memory (state ThreadLocal), not the
# message buffer: the symbol stays, the buffer becomes "any".
TLS_AS_MEMORY = {"pointer-errors-source-thread-local"}


def _rename_tls(value):
    if isinstance(value, str):
        return value.replace("$tls.", "$buf.")
    if isinstance(value, list):
        return [_rename_tls(v) for v in value]
    if isinstance(value, dict):
        return {k: _rename_tls(v) for k, v in value.items()}
    return value


def _uses_default_buffer(step):
    """A step on a thread's message buffer that does not name its kind (v1: TLS)."""
    op = step.get("op")
    thread_buffer = op in ("send", "reply_and_receive") or "thread" in step
    return (op in ("send", "reply_and_receive", "write", "expect_message", "expect_words")
            and thread_buffer and "buffer" not in step)


def _test_to_v2(test):
    keep_tls = test["id"] in TLS_IS_THE_POINT
    requires = [r for r in test.get("requires", []) if r not in ("tls-buffer", "user-buffer")]
    if "requires" in test:
        if requires:
            test["requires"] = requires
        else:
            del test["requires"]
    for step in test["steps"]:
        expect = step.get("expect")
        if isinstance(expect, dict) and "out_index" in expect and expect["out_index"] is None:
            del expect["out_index"]
        if not keep_tls and step.get("buffer") == "tls":
            del step["buffer"]
        if keep_tls and _uses_default_buffer(step):
            step["buffer"] = "tls"
    if not keep_tls and test["id"] not in TLS_AS_MEMORY:
        test["steps"] = _rename_tls(test["steps"])
    return test


def to_v2(doc):
    """The v2 form of a generated file (a new dict; the argument is not changed)."""
    doc = copy.deepcopy(doc)
    doc["schema"] = SCHEMA
    if doc.get("kind") == "kernel":
        for group in doc["groups"]:
            group["tests"] = [_test_to_v2(t) for t in group["tests"]]
    return doc
