# ctest driver (cmake -P): runs SCENARIO on Roshni and on the SimGrid harness, then
# compare_flows with a bound of 1e-9 on every flow's relative end-time difference.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${ROSHNI} run ${SCENARIO} -q -o ${WORK}/roshni RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "roshni run failed (${rc})")
endif()
execute_process(COMMAND ${HARNESS} ${SCENARIO} -o ${WORK}/simgrid.csv RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "roshni_simgrid failed (${rc})")
endif()
execute_process(COMMAND ${COMPARE} ${WORK}/roshni/flows.csv ${WORK}/simgrid.csv --max-rel 1e-9
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the flow end times differ (${rc})")
endif()
