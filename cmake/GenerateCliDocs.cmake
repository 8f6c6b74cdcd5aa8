# Generates the kmip-keystore CLI's man pages and shell completions by running the built CLI
# (`kmip-keystore man --dir`, `kmip-keystore completions SHELL`), so that both come from its one
# clap definition. Run by CMakeLists.txt after cargo builds the CLI:
#   cmake -DKMIP_KEYSTORE_CLI=<binary> -DOUT_DIR=<dir> -P GenerateCliDocs.cmake
# Writes OUT_DIR/man/*.1 (kmip-keystore.1 and one page per subcommand) and, under
# OUT_DIR/completions, kmip-keystore.bash, _kmip-keystore (zsh) and kmip-keystore.fish.
cmake_minimum_required(VERSION 3.16)

foreach(_var KMIP_KEYSTORE_CLI OUT_DIR)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "GenerateCliDocs.cmake: ${_var} is not set")
  endif()
endforeach()

# The man pages: a fresh directory, so that a page of a removed subcommand does not linger.
file(REMOVE_RECURSE "${OUT_DIR}/man")
file(MAKE_DIRECTORY "${OUT_DIR}/man" "${OUT_DIR}/completions")
execute_process(
  COMMAND "${KMIP_KEYSTORE_CLI}" man --dir "${OUT_DIR}/man"
  RESULT_VARIABLE _result
  ERROR_VARIABLE _error)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "kmip-keystore man --dir failed (${_result}): ${_error}")
endif()

# One completion script per shell, named as each shell's completion directory expects.
foreach(_pair "bash=kmip-keystore.bash" "zsh=_kmip-keystore" "fish=kmip-keystore.fish")
  string(REPLACE "=" ";" _pair "${_pair}")
  list(GET _pair 0 _shell)
  list(GET _pair 1 _file)
  execute_process(
    COMMAND "${KMIP_KEYSTORE_CLI}" completions ${_shell}
    OUTPUT_FILE "${OUT_DIR}/completions/${_file}"
    RESULT_VARIABLE _result
    ERROR_VARIABLE _error)
  if(NOT _result EQUAL 0)
    message(FATAL_ERROR "kmip-keystore completions ${_shell} failed (${_result}): ${_error}")
  endif()
endforeach()
