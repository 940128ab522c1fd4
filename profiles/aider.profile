# aider - aider (aider-chat): a Python entry point, "aider", or
# "python -m aider".  Format: generic.profile.
program aider aider-chat
# the keys of the model providers it talks to
env AIDER_* OPENAI_* ANTHROPIC_* GEMINI_API_KEY DEEPSEEK_API_KEY OPENROUTER_API_KEY GROQ_API_KEY MISTRAL_API_KEY OLLAMA_*

# Its analytics id, caches and the keys it was given at its first start.
state      ~/.aider
# (its history files live in the repository: the workspace)

# Its configuration ("yes-always", the commands it runs): not its own.
settings   ~/.aider.conf.yml
settings   $WORKSPACE/.aider.conf.yml
