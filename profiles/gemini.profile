# gemini - Google's Gemini CLI: npm's @google/gemini-cli (a node script).
# Format: generic.profile.
program gemini gemini-cli
env GEMINI_* GOOGLE_API_KEY GOOGLE_GENAI_* GOOGLE_CLOUD_PROJECT GOOGLE_CLOUD_LOCATION

# Its state, history and project registry; GEMINI_CLI_HOME stands for the
# home folder it keeps .gemini in.
state    ~/.gemini                          $GEMINI_CLI_HOME/.gemini

# Its settings (tools allowed, auto-accept) and the folders it trusts.
settings ~/.gemini/settings.json            $GEMINI_CLI_HOME/.gemini/settings.json
settings ~/.gemini/trustedFolders.json      $GEMINI_CLI_HOME/.gemini/trustedFolders.json
settings $WORKSPACE/.gemini/settings.json
