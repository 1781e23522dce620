# Stands in for wakame-vdc's dcmgr/models/base_new.rb (required by 0014);
# on an empty database nothing of it runs.
