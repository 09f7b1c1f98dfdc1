//! The `parse` target: what a user of the codec does with bytes from a buffer.

use hipc::Message;

use super::check_layers;

/// `parse`: what a user of the codec does with bytes from a buffer, and nothing
/// else: the checked parse ([`Message::new_checked`]), every accessor, the typed
/// slices ([`Message::sections`], which must cut the message `new_checked`
/// accepted), every field of every item, and the CMIF and TIPC views. No
/// allocation and no formatting, so the fuzzer's time goes to the code under test
/// (fuzz/README.md gives its exec/s). That the two parses agree section for section
/// and error for error is `decode`'s property ([`check_sections_agree`](super::check_sections_agree)): checked
/// here it cost a quarter of this target's throughput, and a refused input nothing
/// but a second and third parse.
pub fn check_parse(bytes: &[u8]) {
    let Ok(msg) = Message::new_checked(bytes) else {
        return;
    };
    let s = msg.sections();
    // `sections` answers EMPTY (length 0) if the cut refused the checked message.
    assert_eq!(
        s.message_len(),
        msg.message_len(),
        "Sections refuses what new_checked accepts"
    );
    assert!(msg.message_len() <= bytes.len());
    let header = msg.header();
    // Every accessor of the view, as a user reads one section at a time.
    let lens = msg.copy_handles().len()
        + msg.move_handles().len()
        + msg.x_descriptors().len()
        + msg.a_descriptors().len()
        + msg.b_descriptors().len()
        + msg.w_descriptors().len()
        + msg.map_alias_descriptors().len()
        + msg.raw().len()
        + msg.raw_words().len()
        + msg.receive_list().len()
        + usize::from(msg.pid().is_some())
        + usize::from(msg.special_header().is_some());
    std::hint::black_box(lens);
    // Every field of every item, summed so that nothing is optimized away.
    let mut sum = u64::from(header.tag()).wrapping_add(s.pid().unwrap_or(0));
    for h in s.handles() {
        sum = sum.wrapping_add(u64::from(h.get()));
    }
    for x in s.x_descriptors() {
        sum = sum
            .wrapping_add(x.address())
            .wrapping_add(x.size())
            .wrapping_add(u64::from(x.index()))
            .wrapping_add(u64::from(x.reserved()));
    }
    for d in s.map_alias_descriptors() {
        sum = sum
            .wrapping_add(d.address())
            .wrapping_add(d.size())
            .wrapping_add(u64::from(d.mode()))
            .wrapping_add(u64::from(d.reserved()))
            .wrapping_add(d.attribute().bits().into());
    }
    for w in s.raw_words() {
        sum = sum.wrapping_add(u64::from(w.get()));
    }
    for c in s.receive_list() {
        sum = sum
            .wrapping_add(c.address())
            .wrapping_add(c.size())
            .wrapping_add(u64::from(c.reserved()));
    }
    let l = msg.layout();
    sum = sum
        .wrapping_add(l.message_size() as u64)
        .wrapping_add(msg.trailing_len() as u64)
        .wrapping_add(header.recv_list_mode().entry_count() as u64);
    std::hint::black_box(sum);
    check_layers(&msg);
}
