/** The project's own jest config: sockspec's suites are ordinary jest tests here, with JUnit output. */
module.exports = {
  testEnvironment: 'node',
  reporters: [
    'default',
    ['jest-junit', { outputDirectory: 'reports', outputName: 'junit.xml', classNameTemplate: '{classname}', titleTemplate: '{title}' }],
  ],
};
