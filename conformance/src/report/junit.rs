//! The JUnit XML report (`hipc run --junit FILE`), for CI.
//!
//! One `<testsuite>` per vector file (named by its path, in run order), one
//! `<testcase>` per test (named by its id, classname the file's stem). A failed test
//! has a `<failure>` whose `message` is the one-line reason, whose `type` is the
//! field that differs (or `load-error`), and whose text is the plain report's
//! failure block; a skipped test has `<skipped message="REASON">`, and with
//! `--probe` the reason ends with what running it anyway gave (`; probe: would
//! pass` or `; probe: would fail: REASON`), the failure block as its text.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Entry, plain};
use crate::runner::Status;

fn stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.strip_suffix(".json").unwrap_or(name)
}

/// Builds the JUnit report.
pub fn report(entries: &[Entry]) -> Report {
    let mut suites: Vec<TestSuite> = Vec::new();
    for entry in entries {
        let outcome = &entry.outcome;
        let status = match outcome.status {
            Status::Passed => TestCaseStatus::success(),
            Status::Skipped => {
                let mut status = TestCaseStatus::skipped();
                let mut message = outcome.reason.clone().unwrap_or_default();
                if let Some(probe) = &entry.probe {
                    if probe.status == Status::Passed {
                        message.push_str("; probe: would pass");
                    } else {
                        message.push_str("; probe: would fail: ");
                        message.push_str(probe.reason.as_deref().unwrap_or("no reason given"));
                        status.set_description(plain::failure_block(probe));
                    }
                }
                if !message.is_empty() {
                    status.set_message(message);
                }
                status
            }
            Status::Failed => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                if let Some(reason) = &outcome.reason {
                    status.set_message(reason.as_str());
                }
                let (ty, body) = match &entry.load_error {
                    Some(error) => ("load-error".to_owned(), plain::load_error_block(error)),
                    None => (
                        outcome
                            .failure
                            .as_ref()
                            .map_or_else(|| "failure".to_owned(), |f| f.field.clone()),
                        plain::failure_block(outcome),
                    ),
                };
                status.set_type(ty);
                status.set_description(body);
                status
            }
        };
        let mut case = TestCase::new(outcome.id.as_str(), status);
        case.set_classname(stem(&outcome.file));
        let index = match suites.iter().position(|s| s.name.as_str() == outcome.file) {
            Some(index) => index,
            None => {
                suites.push(TestSuite::new(outcome.file.as_str()));
                suites.len() - 1
            }
        };
        if let Some(suite) = suites.get_mut(index) {
            suite.add_test_case(case);
        }
    }
    let mut report = Report::new("hipc");
    report.add_test_suites(suites);
    report
}

/// Renders the JUnit XML.
pub fn render(entries: &[Entry]) -> Result<String, String> {
    report(entries)
        .to_string()
        .map_err(|e| format!("cannot write the JUnit report: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::super::testutil::*;
    use super::*;
    use quick_xml::Reader;
    use quick_xml::XmlVersion;
    use quick_xml::events::Event;

    /// Parses the XML through to the end, checking that every element closes;
    /// returns (element name, attributes) in document order.
    fn parse(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let mut elements = Vec::new();
        let mut depth = 0i32;
        loop {
            let event = reader.read_event().expect("well-formed XML");
            if let Event::Start(_) = event {
                depth += 1;
            }
            match event {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (
                                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                                a.normalized_value(XmlVersion::Implicit1_0)
                                    .unwrap()
                                    .into_owned(),
                            )
                        })
                        .collect();
                    elements.push((name, attrs));
                }
                Event::End(_) => depth -= 1,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "unclosed elements");
        elements
    }

    fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
        attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn well_formed_with_one_suite_per_file() {
        let xml = render(&sample()).unwrap();
        let elements = parse(&xml);
        let suites: Vec<_> = elements.iter().filter(|(n, _)| n == "testsuite").collect();
        let names: Vec<_> = suites
            .iter()
            .map(|(_, a)| attr(a, "name").unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "vectors/codec.json",
                "vectors/pid.json",
                "vectors/async.json",
                "vectors/bad.json"
            ]
        );
        let cases: Vec<_> = elements.iter().filter(|(n, _)| n == "testcase").collect();
        assert_eq!(cases.len(), 5);
        assert_eq!(attr(&cases[1].1, "classname"), Some("pid"));
        let failures: Vec<_> = elements.iter().filter(|(n, _)| n == "failure").collect();
        assert_eq!(failures.len(), 2);
        assert!(
            attr(&failures[0].1, "message")
                .unwrap()
                .contains("message.pid")
        );
        assert_eq!(attr(&failures[0].1, "type"), Some("message.pid"));
        assert_eq!(attr(&failures[1].1, "type"), Some("load-error"));
        let skipped: Vec<_> = elements.iter().filter(|(n, _)| n == "skipped").collect();
        assert_eq!(skipped.len(), 2);
        assert_eq!(attr(&skipped[0].1, "message"), Some("requires async"));
        // The failure body is the plain block, escaped.
        assert!(xml.contains("0010  exp 51 00"), "{xml}");
        assert!(xml.contains("NoSuchResult"), "{xml}");
    }

    #[test]
    fn awkward_text_is_escaped() {
        let mut outcome = failed("a&b<c>.json", "id\"quote");
        outcome.reason = Some("<&>\"' ]]>".into());
        let xml = render(&[outcome.into()]).unwrap();
        let elements = parse(&xml);
        let suite = elements.iter().find(|(n, _)| n == "testsuite").unwrap();
        assert_eq!(attr(&suite.1, "name"), Some("a&b<c>.json"));
    }
}
