//! Office files. Spreadsheets are how county offices exchange lists, so imports read a
//! template the platform itself hands out (headers in the user's language, dropdowns for
//! choices, text-formatted code columns), find columns by their header rather than their
//! position, and report problems by sheet, row and column.

pub mod breakdown;
pub mod document;
pub mod text;
pub mod xlsx;
