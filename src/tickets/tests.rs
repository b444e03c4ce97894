//! Unit tests of the definition checks.
