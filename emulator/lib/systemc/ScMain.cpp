//===- ScMain.cpp - the sc_main libsystemc asks for -----------------------===//
//
// libsystemc.so refers to sc_main (its own main() calls it), so every program
// linking SystemC must define one. Neuromesh programs have their own main()
// and drive the kernel with sc_start directly, so this one is never called.
// It sits alone in its object file: the linker takes it from the archive
// only when the program defines no sc_main of its own.
//
//===----------------------------------------------------------------------===//
#include <systemc>

int sc_main(int, char **) { return 0; }
