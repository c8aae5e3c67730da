# The real clients the end-to-end tests drive, found once for every test folder. A missing client is a
# FAILURE, never a skip: scripts/install-deps.sh installs them (Debian's awscli and python3-boto3; the
# machine's pyenv python3, when it has a newer boto3, is preferred). When one is missing, every test
# that needs it is still registered, as a test that fails saying what is missing.
#   ZK_PYTHON   a python3 that imports boto3
#   ZK_AWS_CLI  the aws CLI
if(NOT DEFINED ZK_PYTHON OR NOT ZK_PYTHON)
  set(zk_py_candidates)
  find_program(zk_path_python3 NAMES python3 NO_CACHE)
  foreach(p ${zk_path_python3} /usr/bin/python3)
    if(p AND NOT ZK_PYTHON)
      execute_process(COMMAND ${p} -c "import sys, boto3; print(sys.executable)"
                      OUTPUT_VARIABLE zk_py OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE zk_rc)
      if(zk_rc EQUAL 0 AND zk_py)
        set(ZK_PYTHON ${zk_py})
      endif()
    endif()
  endforeach()
endif()
find_program(ZK_AWS_CLI aws)

# zk_client_test(NAME COMMAND...): add_test, or a failing stand-in naming the missing client.
function(zk_client_test name)
  set(missing)
  if(NOT ZK_PYTHON)
    list(APPEND missing "a python3 with boto3 (apt-get install python3-boto3)")
  endif()
  if(NOT ZK_AWS_CLI)
    list(APPEND missing "the aws CLI (apt-get install awscli)")
  endif()
  if(missing)
    string(REPLACE ";" ", " what "${missing}")
    add_test(NAME ${name} COMMAND /bin/sh -c "echo 'FAIL: missing ${what}; run scripts/install-deps.sh' >&2; exit 1")
  else()
    add_test(NAME ${name} COMMAND ${ARGN})
  endif()
endfunction()
