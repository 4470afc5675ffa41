//! Rust halves of the Web APIs whose JS halves live in `js/`.

pub mod compression;
pub mod crypto;
pub mod json;
pub mod url;
pub mod urlpattern;
