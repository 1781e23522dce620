package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva/isono"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestBrokerSettings(t *testing.T) {
	dir := t.TempDir()
	pwFile := writeFile(t, dir, "amqp-password", "s3cret-from-file\n")
	for _, tt := range []struct {
		name, s string
		vars    map[string]string
		want    string
	}{
		// Issue 12.6: the seed's form, vhost "/" and guest (amqp091's default).
		{"seed -s form", "amqp://192.168.2.98:5672/", nil, "amqp://192.168.2.98:5672/"},
		{"wakame env", "", map[string]string{"AMQP_SERVER": "10.0.0.5", "AMQP_PORT": "5673"}, "amqp://10.0.0.5:5673/"},
		{"user and password", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_USER": "hva", "AMQP_PASSWORD": "p@ss word"}, "amqp://hva:p%40ss%20word@mq:5672/"},
		{"password file", "amqp://mq:5672/", map[string]string{"AMQP_USER": "hva", "AMQP_PASSWORD_FILE": pwFile}, "amqp://hva:s3cret-from-file@mq:5672/"},
		{"password only means guest", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_PASSWORD": "x"}, "amqp://guest:x@mq:5672/"},
		{"AMQP_URL", "", map[string]string{"AMQP_URL": "amqp://a:b@mq:5672/vdc", "AMQP_SERVER": "ignored"}, "amqp://a:b@mq:5672/vdc"},
		{"-s wins over AMQP_URL", "amqp://flag:5672/", map[string]string{"AMQP_URL": "amqp://env:5672/"}, "amqp://flag:5672/"},
		{"URL credentials win", "", map[string]string{"AMQP_URL": "amqp://a:b@mq/", "AMQP_USER": "c", "AMQP_PASSWORD": "d"}, "amqp://a:b@mq/"},
		{"vhost", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_VHOST": "wakame"}, "amqp://mq:5672/wakame"},
		{"AMQP_TLS", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_PORT": "5671", "AMQP_TLS": "yes"}, "amqps://mq:5671/"},
		{"default", "", nil, defaultBroker},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := brokerSettings(&flags{server: tt.s}, tt.vars, quiet())
			require.NoError(t, err)
			assert.Equal(t, tt.want, b.URL)
			assert.Equal(t, strings.HasPrefix(tt.want, "amqps:"), b.TLS != nil)
		})
	}
}

// Invalid values of the keys the agent uses are fatal, with the key named.
func TestBrokerSettingsRefusals(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty", "\n")
	for _, tt := range []struct {
		name string
		s    string
		vars map[string]string
		want string
	}{
		{"port not a number", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_PORT": "56x72"}, `AMQP_PORT="56x72"`},
		{"port out of range", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_PORT": "70000"}, "AMQP_PORT"},
		{"port bad even with -s", "amqp://mq:5672/", map[string]string{"AMQP_PORT": "0"}, "AMQP_PORT"},
		{"tls flag", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_TLS": "maybe"}, "AMQP_TLS"},
		{"tls with amqp URL", "amqp://mq/", map[string]string{"AMQP_TLS": "yes"}, "use amqps://"},
		{"CA without amqps", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_CA_FILE": "/etc/ca.pem"}, "AMQP_CA_FILE is set"},
		{"bad URL", "", map[string]string{"AMQP_URL": "http://mq/"}, "AMQP_URL"},
		{"bad -s", "mq:5672", nil, "-s"},
		{"both passwords", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_PASSWORD": "a", "AMQP_PASSWORD_FILE": empty}, "keep one"},
		{"empty password file", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_PASSWORD_FILE": empty}, "empty"},
		{"missing password file", "", map[string]string{"AMQP_SERVER": "mq", "AMQP_PASSWORD_FILE": filepath.Join(dir, "nope")}, "AMQP_PASSWORD_FILE"},
		{"missing CA", "amqps://mq/", map[string]string{"AMQP_CA_FILE": filepath.Join(dir, "nope")}, "AMQP_CA_FILE"},
		{"not a CA", "amqps://mq/", map[string]string{"AMQP_CA_FILE": empty}, "no PEM certificate"},
		{"cert without key", "amqps://mq/", map[string]string{"AMQP_CERT_FILE": empty}, "set both or neither"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := brokerSettings(&flags{server: tt.s}, tt.vars, quiet())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// An invalid AMQP_PORT in the environment file stops the agent at start
// (it was a warning, and the agent joined the default port).
func TestInvalidPortIsFatal(t *testing.T) {
	dir := t.TempDir()
	env := writeFile(t, dir, "wakame-vdc", "AMQP_SERVER=127.0.0.1\nAMQP_PORT=56x72\nHVA_ID=esxi9\n")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-e", env, "-c", filepath.Join(dir, "hva.conf"), "-log-format", "json"}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `AMQP_PORT="56x72"`)
	assert.Contains(t, err.Error(), "want a port number")
	assertJSONLines(t, stderr.String())
	assert.Contains(t, stderr.String(), `"level":"ERROR"`)
}

// assertJSONLines checks that every line of out is one JSON object.
func assertJSONLines(t *testing.T, out string) {
	t.Helper()
	require.NotEmpty(t, strings.TrimSpace(out))
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		assert.True(t, strings.HasPrefix(line, "{") && strings.HasSuffix(line, "}"), "not a JSON line: %s", line)
	}
}

// Under -log-format json every fatal line is JSON too, even for a flag
// error found before the logger exists.
func TestJSONFatalLines(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"-log-format", "json", "-log-level", "loud"},
		{"-log-format", "json", "-e", filepath.Join(dir, "missing")},
		{"-log-format", "json", "-c", writeFile(t, dir, "hva.conf", "config.esxi_ipaddress = \"x\n")},
	} {
		var stdout, stderr bytes.Buffer
		require.Error(t, run(context.Background(), args, &stdout, &stderr), args)
		assertJSONLines(t, stderr.String())
		assert.Contains(t, stderr.String(), `"msg":"esxi-hva stopped"`)
	}
}

// A password given on the command line works but is warned about.
func TestPasswordOnTheCommandLineIsWarned(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	_, err := brokerSettings(&flags{server: "amqp://u:hunter2@mq:5672/"}, nil, log)
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "ps shows it")
	assert.NotContains(t, logs.String(), "hunter2")
}

// pki is a throw-away CA with a server and a client certificate.
type pki struct {
	dir                       string
	caFile, certFile, keyFile string
	serverCert                tls.Certificate
	pool                      *x509.CertPool
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	issue := func(serial int64, usage x509.ExtKeyUsage) ([]byte, []byte) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "127.0.0.1"},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			KeyUsage: x509.KeyUsageDigitalSignature, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		require.NoError(t, err)
		kder, err := x509.MarshalECPrivateKey(key)
		require.NoError(t, err)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	}
	p := &pki{dir: dir, pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.caFile = writeFile(t, dir, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})))
	sc, sk := issue(2, x509.ExtKeyUsageServerAuth)
	p.serverCert, err = tls.X509KeyPair(sc, sk)
	require.NoError(t, err)
	cc, ck := issue(3, x509.ExtKeyUsageClientAuth)
	p.certFile = writeFile(t, dir, "client.pem", string(cc))
	p.keyFile = writeFile(t, dir, "client.key", string(ck))
	return p
}

// tlsBroker is an amqps front of the local RabbitMQ that requires a client
// certificate of p's CA; it returns its address.
func tlsBroker(t *testing.T, p *pki, upstream string) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{p.serverCert},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.pool, MinVersion: tls.VersionTLS12})
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				up, err := net.Dial("tcp", upstream)
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, c)
				io.Copy(c, up)
			}()
		}
	}()
	return ln.Addr().String()
}

// amqps with a CA file and a client certificate reaches a real broker
// through a TLS front that checks both sides.
func TestAMQPSWithCAAndClientCertificate(t *testing.T) {
	raw := testenv.AMQPVhostURL(t, "esxi-hva-examples")
	u, err := url.Parse(raw)
	require.NoError(t, err)
	p := newPKI(t)
	front := tlsBroker(t, p, u.Host)
	pw, _ := u.User.Password()
	pwFile := writeFile(t, p.dir, "amqp-password", pw+"\n")
	vars := map[string]string{"AMQP_URL": "amqps://" + front + u.Path, "AMQP_USER": u.User.Username(), "AMQP_PASSWORD_FILE": pwFile,
		"AMQP_CA_FILE": p.caFile, "AMQP_CERT_FILE": p.certFile, "AMQP_KEY_FILE": p.keyFile}
	b, err := brokerSettings(&flags{}, vars, quiet())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := isono.Dial(ctx, isono.Options{URL: b.URL, TLS: b.TLS, NodeID: fmt.Sprintf("hva.tls-%d", time.Now().UnixNano()), Logger: quiet()})
	require.NoError(t, err, "amqps with the CA and the client certificate")
	assert.True(t, n.Connected())
	require.NoError(t, n.Close())

	// Without the client certificate the front refuses the handshake.
	delete(vars, "AMQP_CERT_FILE")
	delete(vars, "AMQP_KEY_FILE")
	b, err = brokerSettings(&flags{}, vars, quiet())
	require.NoError(t, err)
	_, err = isono.Dial(ctx, isono.Options{URL: b.URL, TLS: b.TLS, NodeID: fmt.Sprintf("hva.tls-%d", time.Now().UnixNano()), Logger: quiet()})
	require.Error(t, err, "no client certificate, no connection")
	// Without the CA the broker's certificate is not trusted.
	vars["AMQP_CERT_FILE"], vars["AMQP_KEY_FILE"] = p.certFile, p.keyFile
	delete(vars, "AMQP_CA_FILE")
	b, err = brokerSettings(&flags{}, vars, quiet())
	require.NoError(t, err)
	_, err = isono.Dial(ctx, isono.Options{URL: b.URL, TLS: b.TLS, NodeID: fmt.Sprintf("hva.tls-%d", time.Now().UnixNano()), Logger: quiet()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
}
