package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/esxi-hva/esxi-hva/hva/vdcdefaults"
)

// The environment file's broker keys. AMQP_SERVER, AMQP_PORT and HVA_ID
// are Wakame's; the others are esxi-hva's, so that no secret has to be on
// the command line.
const (
	envURL          = "AMQP_URL"           // full broker URL, amqp:// or amqps://, credentials and vhost included
	envUser         = "AMQP_USER"          // broker user when the URL names none (default guest)
	envPassword     = "AMQP_PASSWORD"      // broker password when the URL names none
	envPasswordFile = "AMQP_PASSWORD_FILE" // a file holding the password (first line)
	envVhost        = "AMQP_VHOST"         // broker vhost when the URL names none (default "/")
	envTLS          = "AMQP_TLS"           // yes: amqps:// to AMQP_SERVER:AMQP_PORT
	envCAFile       = "AMQP_CA_FILE"       // PEM CA certificates the broker's certificate must chain to
	envCertFile     = "AMQP_CERT_FILE"     // PEM client certificate (with AMQP_KEY_FILE)
	envKeyFile      = "AMQP_KEY_FILE"      // PEM client key
)

// maxSecretFile bounds a password file.
const maxSecretFile = 4 << 10

// broker is where and how the agent reaches RabbitMQ.
type broker struct {
	URL string      // with credentials: never log it unredacted
	TLS *tls.Config // for amqps://; nil otherwise
}

// brokerSettings resolves the broker from the -s flag, then AMQP_URL, then
// AMQP_SERVER and AMQP_PORT (Wakame's form), then the default; credentials
// missing from that URL come from AMQP_USER and AMQP_PASSWORD or
// AMQP_PASSWORD_FILE. Every value it uses is checked: a bad one is an
// error naming the key.
func brokerSettings(f *flags, vars map[string]string, log *slog.Logger) (broker, error) {
	if err := checkPort(vars); err != nil {
		return broker{}, err
	}
	useTLS, err := boolVar(vars, envTLS)
	if err != nil {
		return broker{}, err
	}
	raw, from := f.server, "-s"
	switch {
	case raw != "":
	case vars[envURL] != "":
		raw, from = vars[envURL], envURL
	case vars["AMQP_SERVER"] != "" || vars["AMQP_ADDR"] != "":
		host := vars["AMQP_SERVER"]
		if host == "" {
			host = vars["AMQP_ADDR"]
		}
		port := vars["AMQP_PORT"]
		if port == "" {
			port = strconv.Itoa(vdcdefaults.DefaultAMQPPort)
		}
		scheme := "amqp"
		if useTLS {
			scheme = "amqps"
		}
		raw, from = scheme+"://"+net.JoinHostPort(host, port)+"/", "AMQP_SERVER"
	default:
		raw, from = defaultBroker, "the default"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") || u.Host == "" {
		return broker{}, fmt.Errorf("%s: want amqp://HOST:PORT/ or amqps://HOST:PORT/, got %q", from, redactURL(raw))
	}
	if useTLS && u.Scheme != "amqps" {
		return broker{}, fmt.Errorf("%s=yes but the broker from %s is %s: use amqps://", envTLS, from, redactURL(raw))
	}
	if _, hasPassword := u.User.Password(); hasPassword && from == "-s" {
		log.Warn("the broker password is on the command line, where ps shows it: put it in " + envPassword + " or " + envPasswordFile + " of the -e file")
	}
	if u.User == nil {
		user, password, set, err := credentials(vars)
		if err != nil {
			return broker{}, err
		}
		if set {
			u.User = url.UserPassword(user, password)
		}
	}
	if (u.Path == "" || u.Path == "/") && vars[envVhost] != "" {
		u.Path = "/" + vars[envVhost]
		u.RawPath = "/" + url.PathEscape(vars[envVhost])
	}
	b := broker{URL: u.String()}
	if u.Scheme == "amqps" {
		if b.TLS, err = brokerTLS(vars, u.Hostname()); err != nil {
			return broker{}, err
		}
	} else if k := firstSet(vars, envCAFile, envCertFile, envKeyFile); k != "" {
		return broker{}, fmt.Errorf("%s is set but the broker from %s is %s: use amqps:// (or %s=yes)", k, from, redactURL(raw), envTLS)
	}
	return b, nil
}

// checkPort makes an invalid AMQP_PORT fatal (vdcdefaults reports it as one of
// the file's bad lines, which the agent otherwise only logs).
func checkPort(vars map[string]string) error {
	p, ok := vars["AMQP_PORT"]
	if !ok || p == "" {
		return nil
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("AMQP_PORT=%q: want a port number from 1 to 65535", p)
	}
	return nil
}

func boolVar(vars map[string]string, key string) (bool, error) {
	switch strings.ToLower(vars[key]) {
	case "", "no", "false", "0", "off":
		return false, nil
	case "yes", "true", "1", "on":
		return true, nil
	}
	return false, fmt.Errorf("%s=%q: want yes or no", key, vars[key])
}

func firstSet(vars map[string]string, keys ...string) string {
	for _, k := range keys {
		if vars[k] != "" {
			return k
		}
	}
	return ""
}

// credentials returns the broker user and password of the environment
// file; set is false when it names neither (amqp091's default, guest).
func credentials(vars map[string]string) (user, password string, set bool, err error) {
	user, password = vars[envUser], vars[envPassword]
	if file := vars[envPasswordFile]; file != "" {
		if password != "" {
			return "", "", false, fmt.Errorf("both %s and %s are set: keep one", envPassword, envPasswordFile)
		}
		if password, err = readSecret(file); err != nil {
			return "", "", false, fmt.Errorf("%s: %w", envPasswordFile, err)
		}
	}
	if user == "" && password == "" {
		return "", "", false, nil
	}
	if user == "" {
		user = "guest"
	}
	return user, password, true, nil
}

// readSecret returns the first line of a small file.
func readSecret(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	buf := make([]byte, maxSecretFile+1)
	n, err := fh.Read(buf)
	if err != nil && n == 0 {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if n > maxSecretFile {
		return "", fmt.Errorf("%s: larger than %d bytes", path, maxSecretFile)
	}
	line, _, _ := strings.Cut(string(buf[:n]), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%s: empty", path)
	}
	return line, nil
}

// brokerTLS builds the amqps configuration: the system roots or
// AMQP_CA_FILE, and a client certificate when AMQP_CERT_FILE is set.
func brokerTLS(vars map[string]string, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if ca := vars[envCAFile]; ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envCAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s=%s: no PEM certificate in it", envCAFile, ca)
		}
		cfg.RootCAs = pool
	}
	certFile, keyFile := vars[envCertFile], vars[envKeyFile]
	switch {
	case certFile != "" && keyFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("%s and %s: %w", envCertFile, envKeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case certFile != "" || keyFile != "":
		return nil, errors.New(envCertFile + " and " + envKeyFile + " go together: set both or neither")
	}
	return cfg, nil
}
