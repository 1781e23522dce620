package esxi

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// thumbprintLine is the hva.conf line that pins fp.
func thumbprintLine(fp string) string {
	return fmt.Sprintf("config.esxi_thumbprint = %q", fp)
}

// untrustedAdvice tells an operator whose host's certificate is not
// trusted what to do: it fetches the certificate the host presents
// (without trusting it) and gives its SHA-256 fingerprint and the
// hva.conf line that pins it.
func untrustedAdvice(u *url.URL) string {
	const check = "check it on the host first: openssl x509 -in /etc/vmware/ssl/rui.crt -noout -fingerprint -sha256"
	fp, err := peerFingerprint(u)
	if err != nil {
		return "The host's certificate is not trusted; pin it in hva.conf with config.esxi_thumbprint = \"<its SHA-256 fingerprint>\" (" + check + ")"
	}
	return fmt.Sprintf("The host presented a certificate with the SHA-256 fingerprint %s; if it is your host's (%s), pin it in hva.conf: %s",
		fp, check, thumbprintLine(fp))
}

// peerFingerprint returns the SHA-256 fingerprint of the certificate the
// host at u presents. Nothing is sent over the connection.
func peerFingerprint(u *url.URL) (string, error) {
	port := u.Port()
	if port == "" {
		port = "443"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := tls.Dialer{
		NetDialer: &net.Dialer{Timeout: 10 * time.Second},
		// Only to read the certificate; the connection is closed at once.
		Config: &tls.Config{InsecureSkipVerify: true, ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}, //nolint:gosec // see above
	}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return "", err
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return "", errors.New("no certificate")
	}
	sum := sha256.Sum256(certs[0].Raw)
	return fingerprint(sum[:]), nil
}
