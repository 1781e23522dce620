// Package imagetest serves a generated VMDK pair (a "vmfs" descriptor and a
// flat of deterministic pseudo-random content, produced on the fly so that
// large sizes cost no memory) over HTTP or HTTPS for tests and example
// programs. It counts the bytes and requests it serves and can inject faults:
// error statuses, bodies cut short, connection resets and responses held
// mid-body.
package imagetest
