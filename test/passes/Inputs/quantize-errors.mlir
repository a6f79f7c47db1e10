// Op errors of --llmo-quantize (default mode=w8a8 act=static), checked by
// llmo-quantize.mlir with -verify-diagnostics.

func.func @no_calib(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{w8a8 with static activation scales needs llmo.calib (run --llmo-calibrate first, or use act=dynamic)}}
  %y = llmo.linear %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// llmo.calib without an input_clip (e.g. a matmul's statistics).
func.func @calib_without_clip(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{w8a8 with static activation scales needs llmo.calib}}
  %y = llmo.linear %x, %w {llmo.calib = {lhs_clip = 1.0 : f32, rhs_clip = 1.0 : f32}} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A w8 layer format under mode=w8a8 also needs the clip.
func.func @w8_format_no_calib(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{w8a8 with static activation scales needs llmo.calib}}
  %y = llmo.linear %x, %w {llmo.format = "w8"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @unknown_format(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{unknown weight format 'w3' (expected f32, w16, w8, w4c, w4g<G>)}}
  %y = llmo.linear %x, %w {llmo.format = "w3"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// The mode names are not weight formats.
func.func @mode_as_format(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{unknown weight format 'w8a16'}}
  %y = llmo.linear %x, %w {llmo.format = "w8a16"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @zero_group(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{unknown weight format 'w4g0'}}
  %y = llmo.linear %x, %w {llmo.format = "w4g0"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @bad_group(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{unknown weight format 'w4gx'}}
  %y = llmo.linear %x, %w {llmo.format = "w4gx"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// llmo.activations (from --llmo-assign-bitwidth) only says "dynamic".
func.func @planned_static_activations(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  // expected-error @+1 {{--llmo-quantize: llmo.activations must be "dynamic", not "static"}}
  %y = llmo.linear %x, %w {llmo.activations = "static", llmo.format = "w8"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
