// The namespaces the tests of this project use, once for every file.
global using Appliance.Kernels.Detection;
global using Appliance.Kernels.Histograms;
global using Appliance.Kernels.Quantiles;
global using Appliance.Kernels.Spectral;
global using Appliance.Kernels.Statistics;
global using Appliance.Kernels.Tests.Statistics;
global using Appliance.Kernels.Text;
global using Appliance.Kernels.Windows;
global using CsCheck;
global using MathNet.Numerics.Distributions;
global using MathNet.Numerics.IntegralTransforms;
global using System.Globalization;
global using System.Numerics;
global using System.Runtime.Intrinsics;
global using System.Text;
global using Xunit;
