package postgres

// Statements the external tests look at.
const MarkHandledSQL = markHandledSQL
