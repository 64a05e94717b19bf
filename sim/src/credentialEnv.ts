/**
 * Credentials of existing services come from the environment only (never a file of the
 * repository, never a command line, which any user of the machine can read with ps): the run
 * command, the processes it starts and the agents' site configs name these variables.
 */
export const CREDENTIAL_ENV = {
  influx: { usernameEnv: 'GATEWATCH_INFLUX_USERNAME', passwordEnv: 'GATEWATCH_INFLUX_PASSWORD' },
  mqtt: { usernameEnv: 'GATEWATCH_MQTT_USERNAME', passwordEnv: 'GATEWATCH_MQTT_PASSWORD' },
} as const;

/** The broker URL the simulated cameras publish to, with the credentials of the environment (never printed). */
export function simulatorMqttUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const username = env[CREDENTIAL_ENV.mqtt.usernameEnv];
  if (!username) return url;
  const u = new URL(url);
  u.username = username;
  u.password = env[CREDENTIAL_ENV.mqtt.passwordEnv] ?? '';
  return u.toString();
}
