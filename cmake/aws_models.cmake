# Embeds the botocore service models (Route 53, ACM, STS, IAM) into a library at build time, so the server
# needs no python3-botocore at run time. Used by src/aws/CMakeLists.txt:
#   include(${PROJECT_SOURCE_DIR}/cmake/aws_models.cmake)
#   zk_embed_aws_models(zk_aws)
#
# Models are looked up in ZK_BOTOCORE_DATA_DIR (cache variable), then Debian's python3-botocore
# (/usr/lib/python3/dist-packages/botocore/data), as <service>/<apiVersion>/service-2.json or .json.gz.

set(ZK_BOTOCORE_DATA_DIR "" CACHE PATH
    "botocore data directory holding <service>/<apiVersion>/service-2.json[.gz] (default: python3-botocore)")
set(ZK_AWS_MODELS "route53/2013-04-01;acm/2015-12-08;sts/2011-06-15;iam/2010-05-08" CACHE STRING
    "service/apiVersion pairs embedded into zk_aws")

find_package(Python3 REQUIRED COMPONENTS Interpreter)

function(zk_find_botocore_model out service_version)
  set(dirs)
  if(ZK_BOTOCORE_DATA_DIR)
    list(APPEND dirs "${ZK_BOTOCORE_DATA_DIR}")
  endif()
  list(APPEND dirs /usr/lib/python3/dist-packages/botocore/data /usr/share/python3-botocore/data)
  foreach(dir ${dirs})
    foreach(name service-2.json service-2.json.gz)
      if(EXISTS "${dir}/${service_version}/${name}")
        set(${out} "${dir}/${service_version}/${name}" PARENT_SCOPE)
        return()
      endif()
    endforeach()
  endforeach()
  message(FATAL_ERROR "botocore model ${service_version}/service-2.json not found in: ${dirs}\n"
                      "Install python3-botocore (apt-get install python3-botocore) or set ZK_BOTOCORE_DATA_DIR.")
endfunction()

# zk_embed_aws_models(TARGET): generates aws_models_embedded.cc and adds it to TARGET's sources.
function(zk_embed_aws_models target)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/aws_models_embedded.cc")
  set(specs)
  set(files)
  foreach(sv ${ZK_AWS_MODELS})
    zk_find_botocore_model(path "${sv}")
    string(REGEX REPLACE "/.*$" "" service "${sv}")
    list(APPEND specs "${service}=${path}")
    list(APPEND files "${path}")
  endforeach()
  set(script "${PROJECT_SOURCE_DIR}/tools/embed_models.py")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${Python3_EXECUTABLE}" "${script}" --out "${out}" ${specs}
    DEPENDS "${script}" ${files}
    COMMENT "Embedding botocore service models"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
