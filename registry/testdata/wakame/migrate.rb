# migrate.rb runs wakame-vdc's dcmgr migrations with Sequel on one MySQL
# database, up to a target version, with the connection settings dcmgr's
# own Sequel initializer uses (utf8, utf8_general_ci, InnoDB).
#
#   ruby -I stub migrate.rb MIGRATIONS_DIR DATABASE_URI TARGET
#
# TARGET is a Sequel migration version (2 is Wakame 12.03; "head" runs
# every migration). The stub directory on the load path satisfies the
# `require 'dcmgr'` of migration 0014 without wakame-vdc's gems.
require 'sequel'

dir, uri, target = ARGV
abort "usage: ruby -I stub migrate.rb MIGRATIONS_DIR DATABASE_URI TARGET" unless target

Sequel.extension :migration
db = Sequel.connect(uri)
db.default_charset = 'utf8'
db.default_collate = 'utf8_general_ci'
db.default_engine = 'InnoDB'
opts = target == 'head' ? {} : { target: Integer(target) }
Sequel::Migrator.run(db, dir, opts)
puts "#{uri.sub(/\/\/[^@]*@/, '//')}: schema_info version #{db[:schema_info].get(:version)}"
