// Package vdcdefaults reads /etc/default/wakame-vdc (Path), the shell
// environment file Wakame-vdc's init scripts source before starting an
// agent: `bin/hva -i ${HVA_ID} -s amqp://${AMQP_SERVER}:${AMQP_PORT}/`.
//
// Parse reads KEY=VALUE lines the way the shell would assign them, without
// running anything; see its doc for the subset and for how bad lines are
// reported while good ones still count. Its syntax errors are
// *hvaconf.SyntaxError values (errors.Is hvaconf.ErrSyntax), as hva.conf's
// are, so that a caller handles both files' mistakes alike.
package vdcdefaults
