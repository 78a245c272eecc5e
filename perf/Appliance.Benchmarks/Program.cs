using BenchmarkDotNet.Running;

// BenchmarkDotNet suites: `./build.sh bench -- --filter '*'` (arguments after -- go to BenchmarkDotNet).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
