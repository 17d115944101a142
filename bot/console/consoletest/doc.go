// Package consoletest is test support for the channels' transcript tests (bot/console,
// bot/whatsapp): the KOTA-UJI test region on real Postgres and Redis with a settable
// clock, the test instrument, file fabrication, and the transcript format with its
// runner. Each channel supplies only how a typed line reaches klabot and how the replies
// come back (a Channel). Only _test.go files import it; production code must not.
package consoletest
