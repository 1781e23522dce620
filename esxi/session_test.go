package esxi_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

func TestTerminatedSessionIsReestablished(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	require.EqualValues(t, 1, c.Logins())
	newRunningVM(t, env, c, "i-sess")

	require.NoError(t, env.TerminateSessions(ctx))
	// The next call fails NotAuthenticated on the wire, logs in again
	// and succeeds; the caller sees nothing.
	st, err := c.PowerState(ctx, "i-sess")
	require.NoError(t, err)
	assert.Equal(t, esxi.PoweredOn, st)
	assert.EqualValues(t, 2, c.Logins())

	// Many concurrent calls after a loss cause one re-login, not one each.
	require.NoError(t, env.TerminateSessions(ctx))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.PowerState(ctx, "i-sess")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 3, c.Logins())
}

func TestLoginFailureNamesUserNotPassword(t *testing.T) {
	env := esxitest.New(t)
	cfg := env.Config
	env.FailMethod("Login", 1, nil)
	_, err := esxi.Connect(ctxT(t), cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "root@")
	assert.NotContains(t, err.Error(), cfg.Password)
}

func TestTLS(t *testing.T) {
	env := esxitest.New(t)
	ctx := ctxT(t)
	base := env.Config
	base.Thumbprint = ""

	colons := func(hexfp string) string {
		var parts []string
		for i := 0; i < len(hexfp); i += 2 {
			parts = append(parts, hexfp[i:i+2])
		}
		return strings.Join(parts, ":")
	}
	fp := colons(strings.ToUpper(env.Thumbprint))
	t.Run("strict without pin fails", func(t *testing.T) {
		_, err := esxi.Connect(ctx, base)
		require.Error(t, err)
		assert.ErrorIs(t, err, esxi.ErrTLS)
		assert.NotContains(t, err.Error(), base.Password)
		// The operator is told the host's fingerprint and the line to add,
		// not Go field names.
		assert.Contains(t, err.Error(), fp)
		assert.Contains(t, err.Error(), `config.esxi_thumbprint = "`+fp+`"`)
		assert.NotContains(t, err.Error(), "Insecure")
	})
	t.Run("openssl's output form works", func(t *testing.T) {
		for _, tp := range []string{"sha256 Fingerprint=" + fp, "SHA256 Fingerprint=" + strings.ToUpper(env.Thumbprint), "  sha256 Fingerprint=" + strings.ToLower(fp) + "\n"} {
			cfg := base
			cfg.Thumbprint = tp
			c, err := esxi.Connect(ctx, cfg)
			require.NoError(t, err, tp)
			require.NoError(t, c.Close(ctx))
		}
	})
	t.Run("right pin works", func(t *testing.T) {
		cfg := base
		cfg.Thumbprint = strings.ToLower(env.Thumbprint)
		c, err := esxi.Connect(ctx, cfg)
		require.NoError(t, err)
		require.NoError(t, c.Close(ctx))
	})
	t.Run("pin with colons works", func(t *testing.T) {
		cfg := base
		var parts []string
		for i := 0; i < len(env.Thumbprint); i += 2 {
			parts = append(parts, env.Thumbprint[i:i+2])
		}
		cfg.Thumbprint = strings.Join(parts, ":")
		c, err := esxi.Connect(ctx, cfg)
		require.NoError(t, err)
		require.NoError(t, c.Close(ctx))
	})
	t.Run("wrong pin fails clearly", func(t *testing.T) {
		cfg := base
		cfg.Thumbprint = strings.Repeat("AB", 32)
		_, err := esxi.Connect(ctx, cfg)
		require.Error(t, err)
		assert.ErrorIs(t, err, esxi.ErrTLS)
		assert.Contains(t, err.Error(), "does not match the pinned")
		assert.Contains(t, err.Error(), `config.esxi_thumbprint = "`+fp+`"`)
	})
	t.Run("malformed pin refused before dialing", func(t *testing.T) {
		cfg := base
		cfg.Thumbprint = "abc"
		_, err := esxi.Connect(ctx, cfg)
		assert.ErrorIs(t, err, esxi.ErrInvalidConfig)
	})
	t.Run("insecure works", func(t *testing.T) {
		cfg := base
		cfg.Insecure = true
		c, err := esxi.Connect(ctx, cfg)
		require.NoError(t, err)
		require.NoError(t, c.Close(ctx))
	})
	t.Run("custom CA works", func(t *testing.T) {
		pool := x509.NewCertPool()
		pool.AddCert(env.Certificate())
		c, err := esxi.Connect(ctx, base, esxi.WithRootCAs(pool))
		require.NoError(t, err)
		require.NoError(t, c.Close(ctx))
	})
}

func TestConnectRefusesUnknownNames(t *testing.T) {
	env := esxitest.New(t)
	ctx := ctxT(t)
	for _, tc := range []struct {
		name string
		mod  func(*esxi.Config)
		want string
	}{
		{"datastore", func(c *esxi.Config) { c.Datastore = "nope" }, `datastore "nope"`},
		{"network", func(c *esxi.Config) { c.PortGroup = "Nope Network" }, `"Nope Network"`},
		{"datacenter", func(c *esxi.Config) { c.Datacenter = "dc9" }, `datacenter "dc9"`},
		{"empty password", func(c *esxi.Config) { c.Password = "" }, "Password"},
		{"bracket datastore", func(c *esxi.Config) { c.Datastore = "ds]1" }, "ds]1"},
		{"credentials in host", func(c *esxi.Config) { c.Host = "https://root:pw@" + c.Host }, "credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := env.Config
			tc.mod(&cfg)
			_, err := esxi.Connect(ctx, cfg)
			require.Error(t, err)
			assert.ErrorIs(t, err, esxi.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), esxitest.Password)
		})
	}
}

// Twenty VMs created, powered on and destroyed at once share one session
// and leave no goroutine behind.
func TestConcurrentLifecycleOneSessionNoLeaks(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	env := esxitest.New(t)
	ctx := context.Background()
	c, err := esxi.Connect(ctx, env.Config)
	require.NoError(t, err)
	env.ResetCalls()

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("i-conc%02d", i)
			mac := fmt.Sprintf("52:54:00:00:01:%02x", i)
			if _, err := c.CreateVM(ctx, esxi.VMSpec{Name: name, CPUs: 1, MemoryMB: 64, NICs: []esxi.NICSpec{{MAC: mac}}}); err != nil {
				errs <- err
				return
			}
			if err := c.PowerOn(ctx, name); err != nil {
				errs <- err
				return
			}
			info, err := c.VM(ctx, name)
			if err != nil {
				errs <- err
				return
			}
			if info.PowerState != esxi.PoweredOn || len(info.NICs) != 1 || info.NICs[0].MAC != mac {
				errs <- fmt.Errorf("%s: unexpected %+v", name, info)
				return
			}
			errs <- c.DestroyVM(ctx, name)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 0, env.Calls("Login"), "one session for all")
	assert.EqualValues(t, 1, c.Logins())
	vms, err := c.ListVMs(ctx)
	require.NoError(t, err)
	assert.Empty(t, vms)
	assert.Empty(t, env.Files())
	require.NoError(t, c.Close(ctx))
	assert.Equal(t, 1, env.Calls("Logout"))
	env.Close()
}

func TestWrongPasswordIsErrAuth(t *testing.T) {
	env := esxitest.New(t)
	cfg := env.Config
	cfg.Password = "not-the-password"
	_, err := esxi.Connect(ctxT(t), cfg)
	require.Error(t, err)
	assert.ErrorIs(t, err, esxi.ErrAuth)
	assert.NotContains(t, err.Error(), cfg.Password)
	assert.Contains(t, err.Error(), "esxi_password")

	// A wrong user name too; the right pair still logs in.
	cfg = env.Config
	cfg.Username = "admin"
	_, err = esxi.Connect(ctxT(t), cfg)
	assert.ErrorIs(t, err, esxi.ErrAuth)
	c := env.Connect(t)
	assert.EqualValues(t, 1, c.Logins())
}

func TestTransferAfterSessionLossLogsInAgain(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := ctxT(t)
	dir, err := esxi.DatastorePath{Datastore: esxitest.Datastore}.Join("i-xfer")
	require.NoError(t, err)
	require.NoError(t, c.MakeDirectory(ctx, dir))
	iso, _ := dir.Join("metadata.iso")
	payload := strings.Repeat("cd", 64<<10)

	// A seekable body (the metadata CD) is sent again after the login.
	require.NoError(t, env.TerminateSessions(ctx))
	require.NoError(t, c.Upload(ctx, iso, strings.NewReader(payload), int64(len(payload))))
	assert.EqualValues(t, 2, c.Logins())
	assert.Equal(t, 1, env.Calls("401 /folder"), "the first attempt was refused")
	var got strings.Builder
	require.NoError(t, env.TerminateSessions(ctx))
	_, err = c.Download(ctx, iso, &got)
	require.NoError(t, err)
	assert.Equal(t, payload, got.String())
	assert.EqualValues(t, 3, c.Logins())

	// A stream that cannot be read again is refused before its first
	// byte (100-continue), so it is sent again after the login too.
	require.NoError(t, env.TerminateSessions(ctx))
	require.NoError(t, c.Upload(ctx, iso, io.MultiReader(strings.NewReader(payload)), int64(len(payload))))
	assert.EqualValues(t, 4, c.Logins())
}
