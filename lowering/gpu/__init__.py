"""The CUDA backend's lowering: linalg ops of the bufferized module become `gpu.launch`es
(`lowering.gpu.mapping`), host code keeps its control flow and reaches device memory through
the driver shim (`lowering.gpu.host`), kernels become PTX / cubin (`lowering.gpu.binary`) and
the host object is linked with the shim (`lowering.gpu.link`)."""
