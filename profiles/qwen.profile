# qwen - Qwen Code: npm's @qwen-code/qwen-code, a node script (a fork of
# Gemini CLI).  Format: generic.profile.
program qwen qwen-code
env QWEN_* DASHSCOPE_* OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL

state    ~/.qwen

settings ~/.qwen/settings.json
settings ~/.qwen/trustedFolders.json
settings $WORKSPACE/.qwen/settings.json
