# Stands in for wakame-vdc's lib/dcmgr.rb, which migration 0014 requires:
# on an empty database 0014 never reaches Dcmgr's code.
