# aider - aider (aider-chat): a Python entry point, "aider", or
# "python -m aider".  Format: generic.profile.
program aider aider-chat

# Its analytics id, caches and the keys it was given at its first start.
state      ~/.aider
# (its history files live in the repository: the workspace)

# Its configuration ("yes-always", the commands it runs): not its own.
settings   ~/.aider.conf.yml
settings   $WORKSPACE/.aider.conf.yml
