# Writes testdata/hostile/<name>.bin: job bodies made by real Ruby whose
# decoded value is small on the wire but huge once object links are
# followed (issue 13, item 1). Run from the package directory:
#
#   ruby testdata/hostile.rb [output-dir]
dir = ARGV[0] || File.join(__dir__, "hostile")
Dir.mkdir(dir) unless Dir.exist?(dir)

def write(dir, name, value)
  File.binwrite(File.join(dir, "#{name}.bin"), Marshal.dump(value))
end

# 81 KB: one 64 KiB binary String and 8191 links to it, 512 MiB expanded.
s = "A".b * 65536
write(dir, "linked_string", { command: "reboot", args: [[s] * 8192] })

# 17 KB: a hash key that is an Array of 32 links to an Array of 32 links to
# an Array of 32 links to one 16 KiB String, 512 MiB expanded.
x = "B".b * 16384
l1 = [x] * 32
l2 = [l1] * 32
l3 = [l2] * 32
write(dir, "array_key", { command: "reboot", args: [{ l3 => 1 }] })
