/* Stub for NCCL 2.30 symbols that torch 2.14.1 (libtorch_cuda.so) references but the image's
   nvidia-nccl-cu13 2.28.9 lacks. Only symbol resolution matters (tp=1); each returns ncclInvalidUsage (5).
   LD_PRELOAD it. Build: gcc -shared -fPIC -O2 -o libncclstub.so ncclstub.c */
int ncclCommGetUniqueId(void) { return 5; }
int ncclCommGrow(void) { return 5; }
int ncclCommMemStats(void) { return 5; }
int ncclCommResume(void) { return 5; }
int ncclCommSuspend(void) { return 5; }
int ncclGetLsaMultimemDevicePointer(void) { return 5; }
int ncclGetPeerDevicePointer(void) { return 5; }
int ncclPutSignal(void) { return 5; }
int ncclSignal(void) { return 5; }
int ncclWaitSignal(void) { return 5; }
int ncclWinGetUserPtr(void) { return 5; }
