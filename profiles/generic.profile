# generic - an agent belay has no profile for.
#
# A profile says what belay knows of an agent: the names it is started by,
# where it keeps its own state, what the programs it runs write there for
# it, and the files in which it keeps what it may do without asking.  One
# statement a line:
#
#     program NAME…              the command names that are this agent
#                                (globs; "belay codex", "node …/codex.js")
#     env NAME…                  its own variables (globs: its API key),
#                                passed to it whatever they look like
#     state FOLDER [MOVED]       the agent process writes and deletes in
#                                FOLDER (and makes it) without asking
#     state-file GLOB [MOVED]    … and these files, or this one folder
#     helper GLOB [MOVED]        the programs the agent runs may write and
#                                delete these too
#     settings GLOB [MOVED]      its approval settings: every change asks,
#                                even inside its state or the workspace
#     refuse GLOB                the agent's writes there fail at once,
#                                without a question
#
# MOVED is where the same place is when an environment variable moves it,
# written from that variable: $CODEX_HOME, $GEMINI_CLI_HOME/.gemini.  When
# the variable is set, the state is there (and not in the first place);
# settings ask in both.  Paths may use ~, $HOME, $WORKSPACE and $AGENT (the
# agent's command name).  The settings lines of every profile apply
# whichever agent runs: no agent changes another's permissions either.
#
# To add an agent, copy this file to ~/.config/belay/profiles/NAME.profile
# and say what it keeps where; a file there with a built-in profile's name
# replaces it.  Choose one with: belay --profile NAME COMMAND

# Its own folder for state, as the XDG base directory spec places it.
state ~/.local/state/$AGENT  $XDG_STATE_HOME/$AGENT
