package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/redact"
	"github.com/esxi-hva/esxi-hva/internal/retry"
)

// DefaultAPIPath is where dcmgr serves the 12.03 API.
const DefaultAPIPath = "/api/12.03/"

// AccountHeader carries the requesting account.
const AccountHeader = "X-VDC-Account-UUID"

// Client talks to dcmgr's Web API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	hc        *http.Client
	timeout   time.Duration
	account   string
	retries   int
	backoff   time.Duration
	log       *slog.Logger
	probeHTTP *http.Client
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithAccount sends X-VDC-Account-UUID: account on every request except
// POST /host_nodes (see the package doc). With it dcmgr scopes lists and
// lookups to the account and creates it when unknown.
func WithAccount(account string) ClientOption { return func(c *Client) { c.account = account } }

// WithHTTPClient uses hc for API requests (default: http.DefaultClient's
// transport); the timeout of WithTimeout still applies to each try.
func WithHTTPClient(hc *http.Client) ClientOption { return func(c *Client) { c.hc = hc } }

// WithTimeout bounds each try of a request, answer included (default 30 s;
// 0 leaves only the caller's context).
func WithTimeout(d time.Duration) ClientOption { return func(c *Client) { c.timeout = d } }

// WithRetries retries idempotent reads (GET) up to n more times on transport
// errors and 502/503/504 answers, waiting at most backoff, 2*backoff, ...
// (up to 10 s, each wait drawn at random below that: full jitter) between
// tries. The default is 2 retries from 200 ms. Writes are never retried.
func WithRetries(n int, backoff time.Duration) ClientOption {
	return func(c *Client) { c.retries, c.backoff = n, backoff }
}

// maxBackoff caps the wait between retries of a read.
const maxBackoff = 10 * time.Second

// WithLogger logs requests at debug level (method, path, status; never
// headers or credentials).
func WithLogger(l *slog.Logger) ClientOption { return func(c *Client) { c.log = l } }

// NewClient returns a client of the API at baseURL, e.g.
// "http://192.168.2.98:9001/api/12.03/"; a URL without a path gets
// DefaultAPIPath. User info in the URL is refused.
func NewClient(baseURL string, opts ...ClientOption) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, invalid("api url", redact.String(baseURL), "is not a URL: %v", redact.Err(err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, invalid("api url", redact.URL(u), "must be http(s)://host[:port][/api/12.03/]")
	}
	if u.User != nil {
		return nil, invalid("api url", redact.URL(u), "must not carry user info; dcmgr authenticates by account header")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = DefaultAPIPath
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	c := &Client{
		base:    u,
		hc:      &http.Client{},
		timeout: 30 * time.Second,
		retries: 2,
		backoff: 200 * time.Millisecond,
		log:     slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BaseURL returns the API's base URL.
func (c *Client) BaseURL() string { return c.base.String() }

// do sends a request and decodes a 2xx JSON answer into out (when not nil).
// path is relative to the base URL and already escaped (see resource.idPath). form
// is sent as the body of POST and PUT and as the query of GET and DELETE.
func (c *Client) do(ctx context.Context, method, path string, form url.Values, out any) error {
	rel, err := url.PathUnescape(path)
	if err != nil {
		return fmt.Errorf("wakame api %s %s: %w", method, path, err)
	}
	u := *c.base
	u.Path = c.base.Path + rel
	u.RawPath = c.base.EscapedPath() + path
	var body string
	if method == http.MethodGet || method == http.MethodDelete {
		u.RawQuery = form.Encode()
	} else {
		body = form.Encode()
	}
	tries := 1
	if method == http.MethodGet {
		tries += max(c.retries, 0)
	}
	backoff := retry.Backoff{Base: c.backoff, Cap: maxBackoff}
	for try := 1; ; try++ {
		var again bool
		again, err = c.once(ctx, method, &u, path, body, out)
		if err == nil || !again || try >= tries {
			return err
		}
		c.log.DebugContext(ctx, "wakame api: retrying", "method", method, "path", path, "try", try, "err", err)
		if werr := backoff.Wait(ctx, try); werr != nil {
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		}
	}
}

func (c *Client) once(ctx context.Context, method string, u *url.URL, path, body string, out any) (retry bool, err error) {
	parent := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return false, fmt.Errorf("wakame api %s %s: %w", method, path, redact.Err(err))
	}
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.account != "" && !(method == http.MethodPost && path == "host_nodes") {
		req.Header.Set(AccountHeader, c.account)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if parent.Err() != nil {
			return false, fmt.Errorf("wakame api %s %s: %w", method, path, parent.Err())
		}
		// A try that timed out is worth retrying like a transport error.
		// The error names the URL, query included: the message names
		// the path instead.
		return true, fmt.Errorf("wakame api %s %s: %w", method, path, redact.Err(err))
	}
	defer resp.Body.Close()
	c.log.DebugContext(ctx, "wakame api", "method", method, "path", path, "status", resp.StatusCode)
	if resp.StatusCode/100 != 2 {
		return isRetryableStatus(resp.StatusCode), decodeAPIError(method, path, resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return false, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return false, fmt.Errorf("wakame api %s %s: decode answer: %w", method, path, err)
	}
	return false, nil
}

func isRetryableStatus(code int) bool {
	return code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
}

// decodeAPIError reads at most 64 KiB of an error answer.
func decodeAPIError(method, path string, resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := ParseAPIError(resp.StatusCode, raw)
	e.Method, e.Path = method, path
	return e
}

// ParseAPIError builds an *APIError from an error answer's status and body:
// dcmgr's JSON {"error","message","code"} when the body is that, otherwise
// the start of the body as the message.
func ParseAPIError(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status}
	var doc struct {
		Error   string          `json:"error"`
		Message string          `json:"message"`
		Code    json.RawMessage `json:"code"`
	}
	if err := json.Unmarshal(body, &doc); err == nil && doc.Error != "" {
		e.Class, e.Message = doc.Error, doc.Message
		var s string
		if json.Unmarshal(doc.Code, &s) == nil {
			e.Code = s
		} else {
			e.Code = strings.TrimSpace(string(doc.Code))
		}
		return e
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	e.Message = msg
	return e
}

// isNotFound reports whether err is a 404 answer.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
