package rubymarshal

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runRuby runs a Ruby script with input on stdin and returns stdout lines.
func runRuby(t *testing.T, script, input string) []string {
	t.Helper()
	ruby := testenv.RequireCommand(t, "ruby")
	cmd := exec.CommandContext(t.Context(), ruby, "-e", script)
	cmd.Stdin = strings.NewReader(input)
	cmd.Env = append(cmd.Environ(), "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	require.NoError(t, err, "ruby failed: %s", stderr.String())
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.NoError(t, sc.Err())
	return lines
}

// TestRubyLoadsGoValues: Go encodes random values; Ruby loads each,
// describes it and dumps it back; Go decodes Ruby's dump and compares both
// with the original.
func TestRubyLoadsGoValues(t *testing.T) {
	const n = 300
	g := newValueGen(1)
	values := make([]any, n)
	var in strings.Builder
	for i := range values {
		values[i] = A(g.value(4), g.value(4), g.value(4), g.value(4))
		b, err := Encode(values[i])
		require.NoError(t, err)
		in.WriteString(hex.EncodeToString(b) + "\n")
	}
	script := rubyDescribe + `
STDIN.each_line do |l|
  v = Marshal.load([l.strip].pack("H*"))
  puts [Marshal.dump(v)].pack("m0") + " " + desc(v)
end`
	lines := runRuby(t, script, in.String())
	require.Len(t, lines, n)
	for i, l := range lines {
		dump, desc, ok := strings.Cut(l, " ")
		require.True(t, ok, l)
		assert.Equal(t, describe(values[i]), desc, "value %d: Ruby sees it differently", i)
		b, err := decodeBase64(dump)
		require.NoError(t, err)
		back, err := Decode(b)
		require.NoError(t, err, "value %d: decoding Ruby's dump %x", i, b)
		assert.True(t, equalValue(values[i], back), "value %d:\n got %s\nwant %s", i, describe(back), describe(values[i]))
	}
}

// rubyRandom generates random Ruby values, including shared objects
// (object links), symlinks, Hash defaults, encodings and Times.
const rubyRandom = `
$r = Random.new(Integer(ARGV[0] || 7))
$pool = []
$keyn = 0
def rstr
  enc = %w[UTF-8 ASCII-8BIT US-ASCII Shift_JIS EUC-JP ISO-8859-1].sample(random: $r)
  s = (0...$r.rand(8)).map { ["a", "é", "日", "\x00", "\xff", "z"].sample(random: $r) }.join.b
  s = s.bytes.map { |c| (c & 0x7f).chr }.join if enc == "US-ASCII"
  s.force_encoding(enc)
end
def rtime
  t = Time.at($r.rand(-2_000_000_000..4_000_000_000), $r.rand(1_000_000_000), :nsec)
  case $r.rand(4)
  when 0 then t.utc
  when 1 then t.getlocal($r.rand(-86399..86399))
  when 2 then t.getlocal("+09:00")
  else t.localtime
  end
end
def rkey
  $keyn += 1
  case $r.rand(4)
  when 0 then "k#{$keyn}"
  when 1 then $keyn
  else :"k#{$keyn}"
  end
end
def rval(d)
  k = $r.rand(d > 0 ? 16 : 12)
  v = case k
  when 0 then nil
  when 1 then $r.rand(2) == 0
  when 2 then $r.rand(-300..300)
  when 3 then $r.rand(-(2**$r.rand(1..100))..2**$r.rand(1..100))
  when 4 then [Float::INFINITY, -Float::INFINITY, -0.0, 0.0, 1e100, $r.rand * 1000, [$r.bytes(8)].pack("a8").unpack1("D")].sample(random: $r)
  when 5, 6 then rstr
  when 7 then %i[a state running terminated héllo E].sample(random: $r)
  when 8 then rtime
  when 9 then $pool.empty? ? nil : $pool.sample(random: $r)
  when 10, 11 then [rstr, :x, 1]
  when 12, 13 then (0...$r.rand(5)).map { rval(d - 1) }
  else
    h = $r.rand(4) == 0 ? Hash.new(rval(0)) : {}
    $r.rand(5).times { h[rkey] = rval(d - 1) }
    h
  end
  $pool << v if v.is_a?(String) || v.is_a?(Array) || v.is_a?(Hash) || v.is_a?(Time)
  v
end
`

// rubySame is a strict deep comparison in Ruby: classes, encodings,
// float bits, Time offsets and Hash order and defaults; == besides.
const rubySame = `
def same(a, b)
  return false unless a.class == b.class
  case a
  when Float then a.nan? ? b.nan? : [a].pack("G") == [b].pack("G")
  when String then a.encoding == b.encoding && a.b == b.b
  when Time then a == b && a.utc? == b.utc? && a.utc_offset == b.utc_offset
  when Array then a.size == b.size && a.zip(b).all? { |x, y| same(x, y) }
  when Hash then a.size == b.size && same(a.default, b.default) && a.to_a.zip(b.to_a).all? { |(k1, v1), (k2, v2)| same(k1, k2) && same(v1, v2) }
  else a == b
  end
end
def nan?(v)
  case v
  when Float then v.nan?
  when Array then v.any? { |e| nan?(e) }
  when Hash then v.any? { |k, e| nan?(k) || nan?(e) } || nan?(v.default)
  else false
  end
end
`

// TestGoReencodesRubyValues: Ruby dumps random values; Go decodes and
// re-encodes each; Ruby loads Go's bytes and checks they equal the
// original (==, and a strict comparison of classes, encodings, offsets).
func TestGoReencodesRubyValues(t *testing.T) {
	const n = 300
	gen := rubyRandom + `
` + "ARGV.replace([\"11\"])\n" + `
Integer(STDIN.read.strip).times { $pool.clear; puts [Marshal.dump(Array.new(4) { rval(4) })].pack("m0") }`
	dumps := runRuby(t, gen, "300")
	require.Len(t, dumps, n)
	var in strings.Builder
	for i, d := range dumps {
		b, err := decodeBase64(d)
		require.NoError(t, err)
		v, err := Decode(b)
		require.NoError(t, err, "value %d: %x", i, b)
		again, err := Encode(v)
		require.NoError(t, err, "value %d", i)
		in.WriteString(d + " " + hex.EncodeToString(again) + "\n")
	}
	check := rubySame + `
STDIN.each_line.with_index do |l, i|
  orig, mine = l.split(" ")
  a = Marshal.load(orig.unpack1("m0"))
  b = Marshal.load([mine].pack("H*"))
  ok = same(a, b) && (nan?(a) || a == b)
  puts ok ? "ok" : "FAIL #{i}: #{a.inspect} vs #{b.inspect}"
end`
	results := runRuby(t, check, in.String())
	require.Len(t, results, n)
	for _, r := range results {
		assert.Equal(t, "ok", r)
	}
}

// TestGoldenFilesMatchScript: the checked-in vectors are what
// testdata/golden.rb makes with this machine's Ruby (compared as decoded
// values, so a Ruby that orders Time's instance variables differently
// still agrees).
func TestGoldenFilesMatchScript(t *testing.T) {
	ruby := testenv.RequireCommand(t, "ruby")
	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), ruby, filepath.Join("testdata", "golden.rb"), dir)
	cmd.Env = append(cmd.Environ(), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	made, err := filepath.Glob(filepath.Join(dir, "*.bin"))
	require.NoError(t, err)
	checkedIn, err := filepath.Glob(filepath.Join("testdata", "golden", "*.bin"))
	require.NoError(t, err)
	require.Equal(t, len(checkedIn), len(made), "golden.rb and testdata/golden disagree on the set of files")
	for _, f := range made {
		name := filepath.Base(f)
		fresh, err := os.ReadFile(f)
		require.NoError(t, err)
		old, err := os.ReadFile(filepath.Join("testdata", "golden", name))
		require.NoError(t, err, "%s made by golden.rb is not checked in", name)
		v1, err1 := Decode(fresh)
		v2, err2 := Decode(old)
		if err1 != nil || err2 != nil {
			assert.Equal(t, fmt.Sprint(err2), fmt.Sprint(err1), name)
			continue
		}
		assert.True(t, equalValue(v2, v1), "%s: checked in %s, script now makes %s", name, describe(v2), describe(v1))
	}
}
