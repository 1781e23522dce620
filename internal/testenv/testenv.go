// Package testenv tells tests whether the real services and tools they need
// (RabbitMQ, MariaDB, isoinfo, ruby, ...) are present on this machine.
//
// A test that needs something missing is skipped with a message that says
// what is missing and how to get it, except when the environment variable
// CI is "true": there a missing service or tool fails the test, so that a
// broken CI machine can never pass by skipping.
package testenv

import (
	"net"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"
)

// DefaultAMQPURL is the broker the tests use when AMQP_URL is not set.
const DefaultAMQPURL = "amqp://guest:guest@127.0.0.1:5672/"

// DefaultMySQLDSN is the database the tests use when MYSQL_DSN is not set.
const DefaultMySQLDSN = "root@tcp(127.0.0.1:3306)/test?parseTime=true"

// InCI reports whether the tests run under CI (CI=true), where a missing
// service is a failure rather than a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// unavailable skips t, or fails it under CI, with msg.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s (CI=true: a missing service or tool is a failure; run scripts/testenv.sh)", msg)
	}
	t.Skipf("%s; run scripts/testenv.sh (or `make test`) to install and start it", msg)
}

// RequireTCP checks that something accepts TCP connections at addr
// (host:port) and skips or fails t, naming what, when nothing does.
func RequireTCP(t testing.TB, what, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		unavailable(t, what+" is not reachable at "+addr+": "+err.Error())
		return
	}
	_ = conn.Close()
}

// AMQPURL returns the broker URL for tests (AMQP_URL or DefaultAMQPURL)
// after checking that the broker answers.
func AMQPURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv("AMQP_URL")
	if raw == "" {
		raw = DefaultAMQPURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("AMQP_URL is not a URL: %v", err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5672")
	}
	RequireTCP(t, "RabbitMQ", host)
	return raw
}

// AMQPVhostURL returns AMQPURL(t) with its virtual host replaced by
// vhost. A package whose tests serve Isono's fixed endpoint names uses a
// vhost of its own so that packages tested in parallel do not consume each
// other's messages; scripts/testenv.sh creates the vhosts (esxi-hva-isono, esxi-hva-isonotest,
// esxi-hva-examples). A missing vhost makes the connection fail with
// "NOT_ALLOWED - vhost ... not found".
func AMQPVhostURL(t testing.TB, vhost string) string {
	t.Helper()
	u, err := url.Parse(AMQPURL(t))
	if err != nil {
		t.Fatalf("AMQP_URL is not a URL: %v", err)
	}
	u.Path = "/" + vhost
	u.RawPath = "/" + url.PathEscape(vhost)
	return u.String()
}

// MySQLDSN returns the go-sql-driver/mysql DSN for tests (MYSQL_DSN or
// DefaultMySQLDSN) after checking that the server answers on its address.
// The check dials 127.0.0.1:3306 unless MYSQL_ADDR names another address.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("MYSQL_DSN")
	if dsn == "" {
		dsn = DefaultMySQLDSN
	}
	addr := os.Getenv("MYSQL_ADDR")
	if addr == "" {
		addr = "127.0.0.1:3306"
	}
	RequireTCP(t, "MariaDB", addr)
	return dsn
}

// RequireCommand returns the path of the named program, skipping or
// failing t when it is not installed.
func RequireCommand(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/sbin"} {
			if _, statErr := os.Stat(dir + "/" + name); statErr == nil {
				return dir + "/" + name
			}
		}
		unavailable(t, name+" is not installed")
		return ""
	}
	return p
}
